import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArchiveTooLargeError, writeMaskedArchive } from '../../src/azure/maskedArchive';
import { eachZipEntry } from '../../src/azure/zipEntries';
import { registerSecret } from '../../src/redact/secretMask';
import { zipOf } from '../support/altSampleLog';

async function entries(file: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  await eachZipEntry(file, async (entry, open) => {
    const chunks: Buffer[] = [];
    for await (const chunk of await open()) chunks.push(chunk as Buffer);
    out[entry.fileName] = Buffer.concat(chunks);
  });
  return out;
}

describe('azure masked archive copy', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'masked-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('registered secret and shaped tokens in CSV and HTML entries: -> masked in the copy; images copied byte for byte', async () => {
    const secret = 'päss-wörd-4471';
    registerSecret(secret);
    // Long enough that the stream hands it over in several chunks, with multi-byte characters across their edges.
    const csv = `label,URL\n${Array.from({ length: 20_000 }, (_, i) => `get ${secret} ${i},https://f.example/api?code=fn-key-${i}&x=1`).join('\n')}\n`;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, ...Buffer.from(secret), 0xff, 0x00]);
    const source = path.join(dir, 'in.zip');
    fs.writeFileSync(source, await zipOf([{ name: 'engine1/results.csv', content: csv }, { name: 'report/index.html', content: `<td>${secret}</td>` },
      { name: 'report/chart.png', content: png }]));
    await writeMaskedArchive(source, path.join(dir, 'out.zip'));
    const copy = await entries(path.join(dir, 'out.zip'));
    const text = copy['engine1/results.csv'].toString('utf8');
    assert.equal(text.split('\n').length, csv.split('\n').length, 'every line kept');
    assert.ok(!text.includes(secret) && !text.includes('fn-key-'));
    assert.match(text, /^get \*\*\* 19999,https:\/\/f\.example\/api\?code=\*\*\*&x=1$/m);
    assert.equal(copy['report/index.html'].toString(), '<td>***</td>');
    assert.deepEqual(copy['report/chart.png'], png);
  });

  it('source not a zip: -> throws, and no partial copy is left', async () => {
    const source = path.join(dir, 'in.zip');
    fs.writeFileSync(source, 'not a zip');
    await assert.rejects(writeMaskedArchive(source, path.join(dir, 'out.zip')));
    assert.deepEqual(fs.readdirSync(dir), ['in.zip']);
  });

  it('target cannot be written (folder missing, target a folder): -> rejects with the write error, no uncaught exception, nothing left', async () => {
    const source = path.join(dir, 'in.zip');
    // Several entries, large enough that the copy is still streaming when the write error arrives.
    fs.writeFileSync(source, await zipOf(Array.from({ length: 4 }, (_, i) => ({ name: `e${i}.csv`, content: `a,b\n${'1,2\n'.repeat(200_000)}` }))));
    await assert.rejects(writeMaskedArchive(source, path.join(dir, 'missing', 'out.zip')), /ENOENT/);
    fs.mkdirSync(path.join(dir, 'folder'));
    await assert.rejects(writeMaskedArchive(source, path.join(dir, 'folder')), /EISDIR/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['folder', 'in.zip']);
  });

  it('archive that inflates past the cap (a few KB of zeros declaring 8 MiB): -> ArchiveTooLargeError naming sizes and cap, no copy written', async () => {
    const source = path.join(dir, 'in.zip');
    fs.writeFileSync(source, await zipOf([{ name: 'a.csv', content: Buffer.alloc(4 * 1024 ** 2) }, { name: 'b.bin', content: Buffer.alloc(4 * 1024 ** 2) }]));
    assert.ok(fs.statSync(source).size < 64 * 1024, 'small on disk, well under any download cap');
    await assert.rejects(writeMaskedArchive(source, path.join(dir, 'out.zip'), undefined, 1024 ** 2), (error: Error) => {
      assert.ok(error instanceof ArchiveTooLargeError);
      assert.equal(error.message, 'it inflates to 8192 KiB, over the 1024 KiB a masked copy may hold');
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), ['in.zip']);
    await writeMaskedArchive(source, path.join(dir, 'out.zip'), undefined, 8 * 1024 ** 2);
    assert.equal((await entries(path.join(dir, 'out.zip')))['b.bin'].length, 4 * 1024 ** 2, 'at the cap: copied');
  });

  it('entries by type: .jmx, .tsv, .out and no extension -> masked; fonts copied byte for byte; a nested zip left out and named', async () => {
    const secret = 'Zq-entry-secret-918';
    registerSecret(secret);
    const font = Buffer.concat([Buffer.from('wOF2'), Buffer.from(secret), Buffer.from([0xff, 0xfe, 0x00])]);
    const source = path.join(dir, 'in.zip');
    fs.writeFileSync(source, await zipOf([
      { name: 'plan.jmx', content: `<stringProp name="Argument.value">${secret}</stringProp>` },
      { name: 'engine1/results.tsv', content: `label\tvalue\nlogin\t${secret}\n` },
      { name: 'engine1/jmeter.out', content: `password=${secret}\n` },
      { name: 'engine1/stdout', content: `token ${secret}\n` },
      { name: 'report/fonts/a.woff2', content: font },
      { name: 'nested/more.zip', content: await zipOf([{ name: 'x.csv', content: secret }]) },
    ]));
    const { leftOut } = await writeMaskedArchive(source, path.join(dir, 'out.zip'));
    assert.deepEqual(leftOut, ['nested/more.zip']);
    const copy = await entries(path.join(dir, 'out.zip'));
    assert.deepEqual(Object.keys(copy).sort(), ['engine1/jmeter.out', 'engine1/results.tsv', 'engine1/stdout', 'plan.jmx', 'report/fonts/a.woff2']);
    for (const name of ['plan.jmx', 'engine1/results.tsv', 'engine1/jmeter.out', 'engine1/stdout']) {
      assert.ok(!copy[name].includes(Buffer.from(secret)) && copy[name].includes(Buffer.from('***')), name);
    }
    assert.deepEqual(copy['report/fonts/a.woff2'], font);
  });

  it('one 2 MiB line (a report graph.js) with secrets and tokens packed close together: -> every one masked whatever the piece boundaries', async () => {
    const secret = 'Kx-long-line-secret-4096-abcdef';
    registerSecret(secret);
    // Pieces are cut wherever the inflated chunks end; shifting the line by up to one secret-and-filler unit puts a
    // secret or a token across every such place in one of the runs.
    for (let shift = 0; shift < 48; shift += 6) {
      let line = `var data = [${' '.repeat(shift)}`;
      let expectedLength = line.length;
      let masked = 0;
      for (let i = 0; line.length < 2.2 * 1024 ** 2; i++) {
        const filler = `"${'x'.repeat(3 + (i % 7))}",`;
        const value = i % 2 ? `"https://f.example/api?code=fnkey${i}abc&n=1",` : `"${secret}",`;
        line += filler + value;
        expectedLength += filler.length + value.length - (i % 2 ? `fnkey${i}abc`.length : secret.length) + 3;
        masked++;
      }
      const source = path.join(dir, 'in.zip');
      fs.writeFileSync(source, await zipOf([{ name: 'report/content/js/graph.js', content: line }]));
      await writeMaskedArchive(source, path.join(dir, 'out.zip'));
      const text = (await entries(path.join(dir, 'out.zip')))['report/content/js/graph.js'].toString('utf8');
      assert.ok(!text.includes(secret.slice(0, 10)) && !text.includes(secret.slice(-10)), `shift ${shift}: no part of the secret left`);
      assert.ok(!/fnkey|code=(?!\*\*\*&)/.test(text), `shift ${shift}: no part of a token left`);
      assert.equal(text.split('***').length - 1, masked, `shift ${shift}: each secret and token masked once, none cut in two`);
      assert.equal(text.length, expectedLength, `shift ${shift}`);
    }
  });
});
