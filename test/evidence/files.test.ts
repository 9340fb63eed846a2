import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InfrastructureError, ReadinessError } from '../../src/errors';
import { evidenceFileName, newEvidenceId, readEvidenceDir, runInfoFromEnv, writeEvidenceFile } from '../../src/evidence/files';
import { drillPassed, gateReady, loadTestFailed, loadTestPassed } from './fixtures';

describe('evidence files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'evidence-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('write: a document -> one file named by kind and id, read back equal', async () => {
    const evidence = loadTestPassed();
    const file = await writeEvidenceFile(path.join(dir, 'nested', 'results'), evidence);
    assert.equal(path.basename(file), `loadtest-${evidence.id}.json`);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), evidence);
    const read = await readEvidenceDir(path.dirname(file));
    assert.deepEqual(read, { valid: [evidence], invalid: [] });
  });

  it('write: the same document twice -> same file, no error', async () => {
    const evidence = drillPassed();
    const first = await writeEvidenceFile(dir, evidence);
    assert.equal(await writeEvidenceFile(dir, evidence), first);
    assert.deepEqual(await fs.readdir(dir), [path.basename(first)]);
  });

  it('write: a different document under a used id -> refused, the stored file unchanged', async () => {
    const evidence = loadTestPassed();
    const file = await writeEvidenceFile(dir, evidence);
    const before = await fs.readFile(file, 'utf8');
    const changed = { ...evidence, verdict: 'failed' as const };
    await assert.rejects(writeEvidenceFile(dir, changed), (error: unknown) => error instanceof ReadinessError && /already exists.*never rewritten/.test(error.message));
    assert.equal(await fs.readFile(file, 'utf8'), before);
    assert.deepEqual(await fs.readdir(dir), [path.basename(file)]);
  });

  it('write: an invalid document -> refused with the reasons, nothing written', async () => {
    const evidence = { ...loadTestPassed(), verdict: 'maybe' } as unknown as ReturnType<typeof loadTestPassed>;
    await assert.rejects(writeEvidenceFile(dir, evidence), /not valid, so it was not written: verdict: must be one of passed, failed, error \(found "maybe"\)/);
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('write: ten documents at once -> ten files, no temporary files left', async () => {
    const docs = Array.from({ length: 10 }, () => ({ ...loadTestPassed(), id: newEvidenceId() }));
    const files = await Promise.all(docs.map((d) => writeEvidenceFile(dir, d)));
    assert.equal(new Set(files).size, 10);
    assert.deepEqual((await fs.readdir(dir)).sort(), docs.map((d) => evidenceFileName(d)).sort());
  });

  it('write: the folder is a file -> InfrastructureError naming it', async () => {
    const blocker = path.join(dir, 'blocker');
    await fs.writeFile(blocker, 'x');
    await assert.rejects(writeEvidenceFile(blocker, gateReady()), (error: unknown) => error instanceof InfrastructureError && error.message.includes(blocker));
  });

  it('read: malformed and foreign files -> reported beside the valid ones, never thrown', async () => {
    const older = { ...loadTestFailed(), finishedAt: '2026-11-25T10:00:00.000Z' };
    await writeEvidenceFile(dir, gateReady());
    await writeEvidenceFile(dir, older);
    await fs.writeFile(path.join(dir, 'broken.json'), '{"kind": "loadtest",');
    await fs.writeFile(path.join(dir, 'other.json'), JSON.stringify({ kind: 'gate', hello: 1 }));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not evidence');
    await fs.writeFile(path.join(dir, '.half-written.json.tmp'), '{');
    await fs.mkdir(path.join(dir, 'sub.json'));
    const read = await readEvidenceDir(dir);
    assert.deepEqual(read.valid.map((e) => e.id), [older.id, gateReady().id]);
    assert.deepEqual(read.invalid.map((i) => path.basename(i.file)), ['broken.json', 'other.json', 'sub.json']);
    assert.match(read.invalid[0].errors[0], /^not valid JSON: /);
    assert.ok(read.invalid[1].errors.includes('(document): unknown property "hello"'), read.invalid[1].errors.join('\n'));
    assert.match(read.invalid[2].errors[0], /^cannot be read: /);
  });

  it('read: a missing folder -> no evidence', async () => {
    assert.deepEqual(await readEvidenceDir(path.join(dir, 'absent')), { valid: [], invalid: [] });
  });

  it('newEvidenceId: ids are uuids and distinct', () => {
    const ids = new Set(Array.from({ length: 100 }, newEvidenceId));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('run info from pipeline variables', () => {
  const pipeline = {
    SYSTEM_TEAMPROJECT: 'Contoso Shop',
    BUILD_DEFINITIONNAME: 'checkout-ci',
    BUILD_BUILDID: '4711',
    SYSTEM_STAGENAME: 'Staging',
    SYSTEM_JOBNAME: 'LoadTest',
    SYSTEM_JOBATTEMPT: '2',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
  };
  const cases: Array<[string, Record<string, string | undefined>, object]> = [
    [
      'every variable set -> every field, with the build results address',
      pipeline,
      { project: 'Contoso Shop', pipeline: 'checkout-ci', runId: '4711', stage: 'Staging', job: 'LoadTest', attempt: 2, url: 'https://dev.azure.com/contoso/Contoso%20Shop/_build/results?buildId=4711' },
    ],
    [
      'collection address without a trailing slash -> slash added',
      { ...pipeline, SYSTEM_COLLECTIONURI: 'https://tfs.contoso.local/DefaultCollection' },
      { url: 'https://tfs.contoso.local/DefaultCollection/Contoso%20Shop/_build/results?buildId=4711' },
    ],
    ['no build id -> no address', { ...pipeline, BUILD_BUILDID: undefined }, { url: undefined, runId: undefined }],
    ['attempt that is not a number -> left out', { ...pipeline, SYSTEM_JOBATTEMPT: 'first' }, { attempt: undefined }],
    ['blank values -> left out', { ...pipeline, SYSTEM_STAGENAME: '  ' }, { stage: undefined }],
    ['the commit (Build.SourceVersion) -> recorded for provenance', { ...pipeline, BUILD_SOURCEVERSION: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' }, { commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' }],
    ['a source version that is not a commit id (TFVC changeset text) -> left out', { ...pipeline, BUILD_SOURCEVERSION: 'C1234; rm -rf' }, { commit: undefined }],
  ];
  for (const [name, env, expected] of cases) {
    it(`runInfoFromEnv: ${name}`, () => {
      const info = runInfoFromEnv(env) as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assert.equal(info[key], value, key);
    });
  }
  it('runInfoFromEnv: the task that made the document -> recorded', () => {
    assert.equal(runInfoFromEnv(pipeline, 'ReadinessDrDrill').task, 'ReadinessDrDrill');
  });
  it('runInfoFromEnv: outside a pipeline -> empty', () => {
    assert.deepEqual(runInfoFromEnv({ PATH: '/usr/bin', HOME: '/root' }), {});
  });
});
