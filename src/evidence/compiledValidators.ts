import type { ValidateFunction } from 'ajv';
import { evidenceAjv } from './evidenceAjv';
import { evidenceSchema, evidenceSchemaByKind } from './schema';
import type { EvidenceKind } from './types';

/**
 * Evidence validators compiled from the schema at run time, each on first use. The hub uses these (hub/build.ts
 * puts them in place of precompiledValidators.ts): the generated code of all six kinds would add about 0.3 MB to
 * its bundle, while a browser validates a few documents. Node processes use the generated ones.
 */
let ajv: ReturnType<typeof evidenceAjv> | undefined;
const byKind: Partial<Record<EvidenceKind, ValidateFunction>> = {};

export function validatorFor(kind: EvidenceKind): ValidateFunction {
  return (byKind[kind] ??= (ajv ??= evidenceAjv()).compile(evidenceSchemaByKind[kind]));
}

/** The whole evidence schema (all kinds, `kind` choosing the shape) as one validator: what tests check it against. */
let whole: ValidateFunction | undefined;
export function compiledEvidenceSchema(): ValidateFunction {
  return (whole ??= (ajv ??= evidenceAjv()).compile(evidenceSchema));
}
