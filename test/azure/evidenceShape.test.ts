import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCredential } from '../../src/azure/credentials';
import { runCloudLoadTest } from '../../src/azure/runCloudTest';
import { validateEvidence } from '../../src/evidence/validate';
import { runLoadTest } from '../../src/load/runLoadTest';
import { AltEmulator, emulatedConnection, emulatedResource } from '../support/altEmulator';
import { startTarget, type Target } from '../support/httpTarget';

const SMOKE = path.join(__dirname, '../../examples/azure/smoke.yaml');

/** Every key path of a document; arrays contribute the keys of their elements, so lengths do not matter. */
function keyPaths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(`${prefix}.${k}`);
      for (const p of keyPaths(v, `${prefix}.${k}`)) out.add(p);
    }
  }
  return out;
}

describe('azure evidence shape', () => {
  let emu: AltEmulator;
  let target: Target;
  let results: string;
  afterEach(async () => {
    await emu?.stop();
    await target?.close();
    if (results) fs.rmSync(results, { recursive: true, force: true });
  });

  it('same YAML on both engines: local run and emulated cloud run -> evidence documents with the same keys, both schema-valid', async () => {
    target = await startTarget();
    const host = `127.0.0.1:${target.port}`;
    const local = await runLoadTest({ configFile: SMOKE, env: { host } });

    emu = await new AltEmulator({ statistics: { Total: { sampleCount: 90, errorCount: 0, errorPct: 0, meanResTime: 3, medianResTime: 2,
      minResTime: 1, maxResTime: 20, pct75ResTime: 3, pct1ResTime: 5, pct2ResTime: 7, pct3ResTime: 12, pct96ResTime: 8, pct97ResTime: 9, pct98ResTime: 10, pct999ResTime: 19, pct9999ResTime: 20, throughput: 90 },
      home: { sampleCount: 90, errorCount: 0, errorPct: 0, meanResTime: 3, medianResTime: 2, minResTime: 1, maxResTime: 20,
        pct75ResTime: 3, pct1ResTime: 5, pct2ResTime: 7, pct3ResTime: 12, pct96ResTime: 8, pct97ResTime: 9, pct98ResTime: 10, pct999ResTime: 19, pct9999ResTime: 20, throughput: 90 } } }).start();
    results = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-shape-'));
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
    const cloud = (await runCloudLoadTest({ configFile: SMOKE, resource: emulatedResource(emu), credential, armEndpoint, caCertificate: emu.ca,
      env: [{ name: 'host', value: host }], waitForCompletion: true, resultsDirectory: results,
      pollIntervals: { validationMs: 20, runMs: 30, finishingMs: 20, artifactsMs: 20 } })).evidence!;

    // The local verdict depends on this machine's latency; the shape must not.
    assert.notEqual(local.verdict, 'error', local.summary);
    assert.equal(cloud.verdict, 'passed', cloud.summary);
    for (const doc of [local, cloud]) {
      const check = validateEvidence(doc);
      assert.ok(check.ok, check.ok ? '' : check.errors.join('\n'));
    }
    // Engine-specific by design: metrics.azure; metrics.generator (the local engine watching itself); per-second figures (Azure keeps them in Azure Monitor); time to first
    // byte (TestRunStatistics has no such figure); links (a local run has no portal to link to); the latency
    // histogram (a cloud run has one only when its results.zip sample log could be read); the pool (the Load Testing resource) and the
    // platform (this agent's) of the plan fingerprint.
    const engineOnly = (p: string) =>
      /^\.metrics\.azure|^\.metrics\.generator|^\.metrics\.timeline\[\]|timeToFirstByteMs|latencyHistogram|^\.metrics\.comparable\.(pool|platform)|^\.links\[\]/.test(p);
    const localKeys = [...keyPaths(local)].filter((p) => !engineOnly(p)).sort();
    const cloudKeys = [...keyPaths(cloud)].filter((p) => !engineOnly(p)).sort();
    assert.deepEqual(cloudKeys, localKeys);
    assert.deepEqual(cloud.criteria.map((c) => c.expression), local.criteria.map((c) => c.expression));
  });
});
