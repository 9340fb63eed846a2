import type { ValidateFunction } from 'ajv';
import type { EvidenceKind } from './types';

/**
 * The evidence validators as code generated from the schema by Ajv's standalone mode (`npm run
 * evidence:validators` writes src/evidence/validators/; a test fails when they no longer match the schema).
 * Compiling the load-test schema at run time cost a CLI process about 0.1 s of CPU, loading Ajv's compiler
 * included (bench/generator-cost.ts). Each kind's file loads on first use.
 */
const byKind: Partial<Record<EvidenceKind, ValidateFunction>> = {};

/* eslint-disable @typescript-eslint/no-require-imports */
function load(kind: EvidenceKind): ValidateFunction {
  switch (kind) {
    case 'loadtest': return require('./validators/loadtest.js');
    case 'drill': return require('./validators/drill.js');
    case 'docs': return require('./validators/docs.js');
    case 'gate': return require('./validators/gate.js');
    case 'environment': return require('./validators/environment.js');
    case 'capacity': return require('./validators/capacity.js');
  }
}

export function validatorFor(kind: EvidenceKind): ValidateFunction {
  return (byKind[kind] ??= load(kind));
}
