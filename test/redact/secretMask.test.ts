import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { longestSecretLength, maskDeep, maskSecrets, registerSecret, safeMaskCut } from '../../src/redact/secretMask';
import { renderHtml, renderJUnit, renderMarkdown } from '../../src/evidence/render';
import { drillPassed } from '../evidence/fixtures';

/** The one secret mask: registered values in every form, and secrets recognised by shape. */
describe('secret mask', () => {
  const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

  const shapes: Array<{ name: string; text: string; masked: string }> = [
    { name: 'SAS signature', text: 'GET https://acct.blob.core.windows.net/c/f.csv?sv=2024-01-01&sig=AbC%2Bdef123%3D&se=2026', masked: 'GET https://acct.blob.core.windows.net/c/f.csv?sv=2024-01-01&sig=***&se=2026' },
    { name: 'Azure Functions key', text: 'https://fn.azurewebsites.net/api/health?code=Zx9-abc_DEF==', masked: 'https://fn.azurewebsites.net/api/health?code=***' },
    { name: 'OAuth tokens', text: 'cb?token=t1x&access_token=a2y&refresh_token=r3z&state=ok', masked: 'cb?token=***&access_token=***&refresh_token=***&state=ok' },
    { name: 'API key parameter', text: 'https://api.example/v1?api_key=k123&apikey=k456&subscription-key=k789', masked: 'https://api.example/v1?api_key=***&apikey=***&subscription-key=***' },
    { name: 'userinfo password', text: 'postgres://app:hunter22@db:5432/orders', masked: 'postgres://app:***@db:5432/orders' },
    { name: 'token as userinfo', text: 'https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git', masked: 'https://***@github.com/o/r.git' },
    { name: 'short user name kept', text: 'postgres://postgres@127.0.0.1:5432/db', masked: 'postgres://postgres@127.0.0.1:5432/db' },
    { name: 'libpq password=', text: 'host=db password=s3cr3t;user=x', masked: 'host=db password=***;user=x' },
    { name: 'ADO.NET and storage connection strings', text: 'Server=s;Pwd=p4ss;AccountKey=abc+/=;SharedAccessKey=xyz=', masked: 'Server=s;Pwd=***;AccountKey=***;SharedAccessKey=***' },
    { name: 'bearer and JWT', text: 'Authorization: Bearer abc.def, id eyJhbGciOiJI.eyJzdWIiOiIx.c2ln', masked: 'Authorization: Bearer ***, id ***' },
    { name: 'ordinary query kept', text: 'https://shop.example/search?q=shoes&page=2', masked: 'https://shop.example/search?q=shoes&page=2' },
  ];
  for (const c of shapes) it(`shape: ${c.name}`, () => assert.equal(maskSecrets(c.text), c.masked));

  it('value: masked raw, percent-encoded and JSON-escaped, whatever surrounds it; a longer secret masked whole', () => {
    const secret = unique('p@ss "w/rd"');
    registerSecret(secret);
    registerSecret(secret.slice(0, 8));
    assert.equal(maskSecrets(`a ${secret} b ${encodeURIComponent(secret)} c ${JSON.stringify(secret)}`), 'a *** b *** c "***"');
  });

  it('value: shorter than 4 characters is not masked, so numbers and words in reports survive', () => {
    registerSecret('200');
    assert.equal(maskSecrets('status 200'), 'status 200');
  });

  it('maskDeep: every string of a document masked, numbers and keys kept, the input untouched', () => {
    const secret = unique('deep');
    registerSecret(secret);
    const doc = { [`key`]: [{ detail: `failed with ${secret}`, count: 3 }], note: null };
    assert.deepEqual(maskDeep(doc), { key: [{ detail: 'failed with ***', count: 3 }], note: null });
    assert.equal(doc.key[0].detail, `failed with ${secret}`);
  });

  it('maskDeep: a short secret that occurs inside a latency histogram\'s base64 -> the histogram survives, every other string is masked', () => {
    const histogram = `HISTFAAAACl4nJNpmSzMwMDAxAABMJoRTAcxzsUCGlJKqkoIYZcLTwiD${randomBytes(4).toString('hex')}Q`;
    const secret = 'ACl4nJNp'; // a plausible short password that these base64 characters happen to contain
    registerSecret(secret);
    const doc = { metrics: { totals: { latencyHistogram: histogram, name: `Total ${secret}` }, requests: [{ latencyHistogram: histogram, name: secret }] } };
    const masked = maskDeep(doc);
    assert.equal(masked.metrics.totals.latencyHistogram, histogram);
    assert.equal(masked.metrics.requests[0].latencyHistogram, histogram);
    assert.equal(masked.metrics.totals.name, 'Total ***');
    assert.equal(masked.metrics.requests[0].name, '***');
    // A field of that name holding anything but base64 is masked like any other text.
    assert.equal(maskDeep({ latencyHistogram: `not a histogram: ${secret}` }).latencyHistogram, 'not a histogram: ***');
  });

  it('renderers: a secret with XML and markdown specials is masked before escaping could disguise it', () => {
    const secret = unique('a&b<c>|d');
    registerSecret(secret);
    const evidence = { ...drillPassed(), summary: `restore used ${secret}` };
    for (const [name, text] of [['html', renderHtml(evidence)], ['junit', renderJUnit(evidence)], ['markdown', renderMarkdown(evidence)]] as const) {
      assert.ok(!text.includes(secret.slice(-12)), `${name} holds the secret's tail`);
      // Markdown escapes the mask's asterisks, so they show as *** rather than turning into emphasis.
      assert.match(text, /restore used (\*\*\*|\\\*\\\*\\\*)/, name);
    }
  });

  it('safe cut for masking in pieces: a secret or token across the cut, or a token running to the end -> cut moved before it', () => {
    const secret = 'cut-here-secret-77';
    registerSecret(secret);
    const text = `aaaa ${secret} bbbb ?code=abcdef&x=1 cccc ?token=runs-to-the-end`;
    const inSecret = text.indexOf(secret) + 5;
    assert.equal(safeMaskCut(text, inSecret), text.indexOf(secret));
    const inToken = text.indexOf('abcdef') + 2;
    assert.equal(safeMaskCut(text, inToken), text.indexOf('?code='));
    // Before any token: stays; between two tokens but the last runs to the end of the text: moved before that one.
    assert.equal(safeMaskCut(text, 3), 3);
    assert.equal(safeMaskCut(text, text.indexOf('cccc') + 2), text.indexOf('cccc') + 2);
    assert.equal(safeMaskCut(text, text.length), text.indexOf('?token='));
    assert.ok(longestSecretLength() >= secret.length);
    // Never between the halves of a surrogate pair.
    assert.equal(safeMaskCut('ab\u{1F600}cd', 3), 2);
  });
});
