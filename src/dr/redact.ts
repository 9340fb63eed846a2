import { MASK, maskSecrets, registerSecret } from '../redact/secretMask';

/**
 * Secrets never reach logs or evidence (DESIGN.md). A drill's Redactor registers every secret value the drill file
 * pulled in (passwords in connection strings, values of `${VAR}` references that are secret) with the one masking
 * mechanism (src/redact/secretMask.ts), which also masks `scheme://user:pass@` userinfo and `password=` wherever
 * it meets them, so an error message from pg or pg_restore that echoes a connection string stays safe.
 */
export { MASK };

export class Redactor {
  addSecret(value: string | undefined): void {
    registerSecret(value);
  }

  redact(text: string): string {
    return maskSecrets(text);
  }
}
