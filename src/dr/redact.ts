/**
 * Secrets never reach logs or evidence (DESIGN.md). A Redactor knows every secret value the drill file pulled
 * in (passwords in connection strings, values of `${VAR}` references) and also masks any `scheme://user:pass@`
 * userinfo it meets, so an error message from pg or pg_restore that echoes a connection string stays safe.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]+)@/gi;
/** libpq `key=value` strings: `password=...`. */
const KEYWORD_PASSWORD = /\b(password\s*=\s*)('[^']*'|\S+)/gi;

export const MASK = '***';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Values shorter than 3 characters are not masked: masking `1` would wreck every number in a report. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 3) {
      this.secrets.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) this.secrets.add(encoded);
    }
  }

  redact(text: string): string {
    let out = text.replace(URL_PASSWORD, `$1:${MASK}@`).replace(KEYWORD_PASSWORD, `$1${MASK}`);
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
    return out;
  }
}
