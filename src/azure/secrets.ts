import { maskSecrets, registerSecret } from '../redact/secretMask';

/**
 * Secrets known to the Azure module (client secrets, certificates, tokens), so any text that leaves it (error
 * messages, progress lines) can be scrubbed, and so the task can mask them in the agent log (`markSecret` is
 * `tl.setSecret` there). Both go through the one masking mechanism, src/redact/secretMask.ts, which also knows
 * tokens by shape (a JWT starts with `eyJ`; SAS URLs carry `sig=`).
 */
export type MarkSecret = (value: string) => void;

/** Remembers a secret for redaction and hands it to the caller's masker (the task passes tl.setSecret). */
export function rememberSecret(value: string | undefined, markSecret?: MarkSecret): void {
  if (!value || value.length < 4) return;
  registerSecret(value);
  markSecret?.(value);
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) markSecret?.(line);
  }
}

export function redactSecrets(text: string): string {
  return maskSecrets(text);
}
