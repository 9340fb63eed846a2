/**
 * Secrets known to this process (client secrets, certificates, tokens), so any text that leaves the Azure module
 * (error messages, progress lines) can be scrubbed, and so the task can mask them in the agent log
 * (`markSecret` is `tl.setSecret` there). Tokens are also recognised by shape: a JWT always starts with `eyJ`.
 */
const known = new Set<string>();

export type MarkSecret = (value: string) => void;

/** Remembers a secret for redaction and hands it to the caller's masker (the task passes tl.setSecret). */
export function rememberSecret(value: string | undefined, markSecret?: MarkSecret): void {
  if (!value || value.length < 4) return;
  known.add(value);
  markSecret?.(value);
  // A PEM is logged line by line if at all; mask each base64 line too.
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/)) {
      if (line.length >= 16 && !line.startsWith('-----')) {
        known.add(line);
        markSecret?.(line);
      }
    }
  }
}

const JWT = /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(bearer\s+)[^\s"',]+/gi;
const SAS_SIGNATURE = /([?&]sig=)[^&\s"']+/gi;

export function redactSecrets(text: string): string {
  let out = text.replace(JWT, '***').replace(BEARER, '$1***').replace(SAS_SIGNATURE, '$1***');
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
