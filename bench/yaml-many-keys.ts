/**
 * A 20,000-key YAML through our reader, against the yaml package's bare parser in the same run (issue 12: such a
 * file took seconds). "ours" is parseYamlSource (parse, duplicate-key check, toJS) plus a line lookup for every
 * key, as a loader does when it reports a problem per key; "parser alone" is parseDocument without the duplicate
 * check; "yaml uniqueKeys" is the parser with its own duplicate check, which the reader used before (quadratic).
 * Also times parseAltConfig on a load test configuration with 20,000 unknown keys, each reported with its line.
 *
 * Run: npx tsx bench/yaml-many-keys.ts [keys] [rounds]     (default 20000 keys, 3 rounds; about 20 s)
 */
import { performance } from 'node:perf_hooks';
import { LineCounter, parseDocument } from 'yaml';
import { parseYamlSource } from '../src/config/yamlSource';
import { parseAltConfig } from '../src/load/altConfig';

const keys = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);
const text = 'version: v0.1\ntestId: many-keys\ntestType: URL\ntestPlan: plan.json\n' + Array.from({ length: keys }, (_, i) => `key${i}: value ${i}`).join('\n') + '\n';

function fastest(run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const peer = fastest(() => parseDocument(text, { uniqueKeys: false, lineCounter: new LineCounter() }));
const ours = fastest(() => {
  const source = parseYamlSource('many.yaml', text);
  for (let i = 0; i < keys; i++) source.lineOf([`key${i}`]);
});
const before = fastest(() => parseDocument(text, { uniqueKeys: true, lineCounter: new LineCounter() }));
let problems = 0;
const loader = fastest(() => {
  try {
    parseAltConfig(text, '/tmp/many.yaml', 'many.yaml');
  } catch (error) {
    problems = (error as { problems?: string[] }).problems?.length ?? 0;
  }
});
console.log(`${keys} keys, ${(text.length / 1024).toFixed(0)} KB, fastest of ${rounds}`);
console.log(`parser alone (peer)            ${peer.toFixed(0)} ms`);
console.log(`ours: parseYamlSource + lines  ${ours.toFixed(0)} ms   ${(ours / peer).toFixed(2)}x the peer`);
console.log(`yaml uniqueKeys (before)       ${before.toFixed(0)} ms   ${(before / peer).toFixed(2)}x the peer`);
console.log(`parseAltConfig, ${problems} problems  ${loader.toFixed(0)} ms   ${(loader / peer).toFixed(2)}x the peer`);
