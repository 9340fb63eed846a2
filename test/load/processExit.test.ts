import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startTarget, type Target } from '../support/httpTarget';
import { get, requestsJson, URL_YAML, writeTest } from './helpers';

/**
 * Nothing the engine leaves behind may keep a process alive: the CLI and the task end when their work ends,
 * without process.exit. Run in a child process, since mocha's own handles would hide a leak.
 */
function runInChild(configFile: string, abortAfterMs?: number): Promise<{ ms: number; out: string }> {
  const engine = path.resolve(__dirname, '../../src/load/runLoadTest').replace(/\\/g, '/');
  const script = `
    const c = new AbortController();
    ${abortAfterMs ? `setTimeout(() => c.abort(), ${abortAfterMs});` : ''}
    require('${engine}').runLoadTest({ configFile: ${JSON.stringify(configFile)}, signal: c.signal })
      .then((e) => console.log(JSON.stringify({ cancelled: e.metrics.cancelled, requests: e.metrics.totals.requests })));`;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--require', 'tsx/cjs', '-e', script], { timeout: 20_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message} (killed: ${child.killed})\n${err}`)) : resolve({ ms: Date.now() - started, out }));
  });
}

describe('load/process exit', function () {
  let target: Target;
  before(async () => (target = await startTarget({ serviceTimeMs: 1 })));
  after(async () => target.close());

  it('cancelled run with 20 users -> the process ends by itself soon after the partial result', async () => {
    const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('A', `${target.url}/a`), get('B', `${target.url}/status/503`)], { virtualUsersPerEngine: 20, durationInSeconds: 60 }) });
    const { out } = await runInChild(file, 1500);
    const result = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(result.cancelled, true);
    assert.ok(result.requests > 0);
  });

  it('finished run -> the process ends by itself', async () => {
    const file = writeTest({ yaml: `${URL_YAML}autoStop: disable\n`, requests: requestsJson([get('A', `${target.url}/a`), get('Drop', `${target.url}/reset`)], { virtualUsersPerEngine: 5, durationInSeconds: 1 }) });
    const { out } = await runInChild(file);
    assert.equal(JSON.parse(out.trim().split('\n').pop()!).cancelled, false);
  });
});
