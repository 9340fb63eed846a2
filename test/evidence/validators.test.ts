import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generatedValidators, VALIDATORS_DIR } from '../../scripts/evidenceValidators';
import { validatorFor as compiledFor } from '../../src/evidence/compiledValidators';
import { validatorFor as precompiledFor } from '../../src/evidence/precompiledValidators';
import type { EvidenceKind } from '../../src/evidence/types';
import { allFixtures } from './fixtures';

describe('evidence validators generated at build time', () => {
  it('validators: the files in src/evidence/validators -> match what the current schema generates', () => {
    for (const [name, text] of generatedValidators()) {
      const committed = readFileSync(path.join(VALIDATORS_DIR, name), 'utf8');
      assert.ok(committed === text, `src/evidence/validators/${name} is out of date with src/evidence/schema.ts: run npm run evidence:validators`);
    }
  });

  // Mutations that break documents of every kind in different ways, so the errors of both validators are compared.
  const breakages: Array<[string, (doc: any) => void]> = [
    ['unchanged', () => undefined],
    ['a wrong type, a missing field and an unknown field', (d) => {
      d.schemaVersion = 'one';
      delete d.finishedAt;
      d.extra = true;
    }],
    ['a bad format and a short string', (d) => {
      d.id = 'not-a-uuid';
      d.service = '';
      d.startedAt = 'today';
    }],
    ['metrics replaced by a list', (d) => void (d.metrics = [1, 2])],
    ['a link that is not a web address', (d) => void (d.links = [{ name: 'x', url: 'ftp://host/file' }])],
  ];
  for (const [fixture, evidence] of allFixtures()) {
    it(`validators: ${fixture} fixture, broken in ${breakages.length - 1} ways -> generated and run-time compiled give the same verdicts and errors`, () => {
      for (const [name, breakIt] of breakages) {
        const doc = JSON.parse(JSON.stringify(evidence));
        breakIt(doc);
        const kind = evidence.kind as EvidenceKind;
        const generated = precompiledFor(kind);
        const compiled = compiledFor(kind);
        assert.equal(generated(doc), compiled(doc), name);
        assert.deepEqual(generated.errors ?? null, compiled.errors ?? null, name);
      }
    });
  }
});
