import * as assert from 'node:assert/strict';
import { parseCurl } from '../../src/load/curl';
import { runLoadTest } from '../../src/load/runLoadTest';
import { startTarget, type Target } from '../support/httpTarget';
import { requestsJson, URL_YAML, writeTest } from './helpers';

describe('load/curl', () => {
  const cases: Array<{ name: string; command: string; expected: ReturnType<typeof parseCurl> }> = [
    { name: 'plain URL', command: "curl 'https://www.contoso.com/orders'", expected: { method: 'GET', url: 'https://www.contoso.com/orders', headers: [], body: undefined } },
    { name: 'Azure portal style with --location, --request and a header', command: "curl --location --request GET '${domain}' --header 'Ocp-Apim-Subscription-Key: ${token}'",
      expected: { method: 'GET', url: '${domain}', headers: [['Ocp-Apim-Subscription-Key', '${token}']], body: undefined } },
    { name: 'data implies POST and a form content type', command: 'curl -d "a=1" -d b=2 http://h/x', expected: { method: 'POST', url: 'http://h/x', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1&b=2' } },
    { name: '--json sets JSON headers', command: `curl --json '{"q": "shoes"}' http://h/search`, expected: { method: 'POST', url: 'http://h/search', headers: [['content-type', 'application/json'], ['accept', 'application/json']], body: '{"q": "shoes"}' } },
    { name: 'multi-line command with -X, -u, --url= and escaped quotes', command: 'curl -X PUT \\\n  -u me:pw \\\n  --url=http://h/item -H "x-note: say \\"hi\\"" --data-raw @literal',
      expected: { method: 'PUT', url: 'http://h/item', headers: [['authorization', `Basic ${Buffer.from('me:pw').toString('base64')}`], ['x-note', 'say "hi"'], ['content-type', 'application/x-www-form-urlencoded']], body: '@literal' } },
    { name: '-G moves data to the query string', command: 'curl -G -d q=1 http://h/s?x=2', expected: { method: 'GET', url: 'http://h/s?x=2&q=1', headers: [], body: undefined } },
    { name: 'an option the engine does not know', command: 'curl --cert c.pem http://h/', expected: 'the cURL option "--cert" is not supported by the local engine; write the request with endpoint, method, headers and body instead' },
    { name: 'a body read from a file', command: 'curl -d @body.json http://h/', expected: '"-d @body.json" reads a file, which a requests JSON cannot carry; put the body in the command or in "body"' },
    { name: 'an unclosed quote', command: "curl 'http://h/", expected: 'cannot read the cURL command: unclosed single quote' },
  ];
  for (const c of cases) {
    it(`parseCurl: ${c.name} -> ${typeof c.expected === 'string' ? 'a problem naming it' : 'method, URL, headers and body'}`, () => {
      assert.deepEqual(parseCurl(c.command), c.expected);
    });
  }

  describe('run', () => {
    let target: Target;
    afterEach(async () => target?.close());

    it('requestType CURL: POST with headers and a body -> the server receives exactly that', async () => {
      target = await startTarget();
      const file = writeTest({
        yaml: `${URL_YAML}env:\n  - name: base\n    value: ${target.url}\n`,
        requests: requestsJson([{ requestName: 'Order', requestType: 'CURL', curlCommand: `curl --location '\${base}/echo' -H 'x-k: v' --data-raw '{"n": 1}' -H 'content-type: application/json'` }],
          { virtualUsersPerEngine: 1, durationInSeconds: 1 }),
      });
      const evidence = await runLoadTest({ configFile: file });
      assert.equal(evidence.metrics.totals.errors, 0);
      assert.equal(evidence.metrics.totals.requests, target.counts.get('POST /echo'));
      assert.equal(target.seen[0].headers['x-k'], 'v');
      assert.equal(target.seen[0].headers['content-type'], 'application/json');
      assert.equal(target.seen[0].body, '{"n": 1}');
    });

    it('requestType CURL with an unsupported option -> ConfigError naming the curlCommand line', async () => {
      const file = writeTest({ yaml: URL_YAML, requests: requestsJson([{ requestName: 'X', requestType: 'CURL', curlCommand: 'curl -F a=b http://127.0.0.1:1/' }], { virtualUsersPerEngine: 1, durationInSeconds: 1 }) });
      await assert.rejects(runLoadTest({ configFile: file }), /requests\.json:\d+ scenarios\.main\.requests\[0\]\.curlCommand: the cURL option "-F" is not supported/);
    });
  });
});
