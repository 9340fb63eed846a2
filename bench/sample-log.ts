/**
 * Reading an Azure Load Testing sample log (results.zip) into histograms, and writing its masked copy, against a
 * peer measured in the same run: inflating the same archive with the same zip library and counting its lines (the
 * least any reader must do).
 * The archive is generated: JMeter CSV rows as the emulator writes them (test/support/altSampleLog.ts), 2 engines,
 * 3 labels. Fastest of the rounds is reported for each.
 * Run: npx tsx bench/sample-log.ts [samples, default 1000000] [rounds, default 3]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeMaskedArchive } from '../src/azure/maskedArchive';
import { readSampleLog } from '../src/azure/sampleLog';
import { eachZipEntry } from '../src/azure/zipEntries';
import { resultsZipOf } from '../test/support/altSampleLog';
import { machine } from './load-support';

async function countLines(file: string): Promise<number> {
  let lines = 0;
  await eachZipEntry(file, async (_entry, open) => {
    for await (const chunk of await open()) for (const byte of chunk as Buffer) if (byte === 10) lines++;
  });
  return lines;
}

async function fastest(rounds: number, run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 1_000_000);
  const rounds = Number(process.argv[3] ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sample-log-'));
  const zip = path.join(dir, 'results.zip');
  const share = Math.floor(samples / 3);
  fs.writeFileSync(zip, await resultsZipOf({ engines: 2, requests: [
    { label: 'home', count: share, baseMs: 5, tailMs: 20 },
    { label: 'search, "advanced"', count: share, baseMs: 12, tailMs: 80, errorEvery: 50 },
    { label: 'checkout', count: samples - 2 * share, baseMs: 30, tailMs: 120, networkErrorEvery: 500 },
  ] }));
  const zipBytes = fs.statSync(zip).size;
  const peer = await fastest(rounds, () => countLines(zip));
  let read = 0;
  const reader = await fastest(rounds, async () => {
    const outcome = await readSampleLog(zip);
    if (!outcome.log) throw new Error(outcome.warning);
    read = outcome.log.total.requests;
  });
  const masked = await fastest(rounds, () => writeMaskedArchive(zip, path.join(dir, 'masked.zip')));
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${machine()}`);
  console.log(`results.zip: ${read} samples, ${(zipBytes / 1024 ** 2).toFixed(1)} MiB compressed; fastest of ${rounds}`);
  console.log(`peer (inflate + count lines): ${peer.toFixed(0)} ms`);
  console.log(`readSampleLog (inflate + CSV + histograms): ${reader.toFixed(0)} ms (${(reader / peer).toFixed(1)}x the peer, ${Math.round(read / (reader / 1000))} samples/s)`);
  console.log(`writeMaskedArchive (inflate + mask + deflate): ${masked.toFixed(0)} ms (${(masked / peer).toFixed(1)}x the peer)`);
}

void main();
