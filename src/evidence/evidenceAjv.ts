import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The one Ajv configuration for evidence documents. Both the validators generated at build time
 * (scripts/evidenceValidators.ts) and the ones compiled at run time (compiledValidators.ts) come from it, so both
 * apply exactly the same rules and report the same errors.
 */
export function evidenceAjv(options: { source?: boolean } = {}): Ajv {
  // Run-time compiling: unoptimised code compiles in half the time, and a process validates a few documents.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, code: options.source ? { source: true } : { optimize: false } });
  addFormats(ajv);
  return ajv;
}
