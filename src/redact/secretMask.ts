/**
 * The one place secrets are masked (DESIGN.md "Secrets are masked by value everywhere"). Every input path that
 * carries a secret registers its value here: the load test's `secrets` input, secret pipeline variables, drill
 * `${VAR}` values declared secret, connection-string passwords, service-connection keys and tokens, CLI
 * `--secret`. Every sink masks through here: log lines (CLI streams, task stdout), the evidence file, and the
 * JUnit, markdown and HTML renderers. A value is masked wherever it appears, whatever the name of the variable that
 * carried it.
 *
 * Some secrets are recognised by shape too, since they can arrive in text we never saw as an input (an error that
 * echoes a URL): the password of URL userinfo, `password=` in libpq strings, token-bearing query parameters
 * (`sig=` of SAS URLs, `code=` of Azure Functions keys, OAuth `token=`/`access_token=`...), bearer tokens and JWTs.
 */
export const MASK = '***';

/** Shorter values are not masked: masking `1` or `abc` would wreck every number and word of a report. */
export const MIN_SECRET_LENGTH = 4;

const known = new Set<string>();
let sorted: string[] = [];
let marker: ((value: string) => void) | undefined;

/** Registers a secret; the task's marker (tl.setSecret) hears of it too, so the agent masks its own log. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
  // A PEM or other multi-line secret is logged line by line if at all; mask each long line too.
  if (value.includes('\n')) forms.push(...value.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----')));
  let added = false;
  for (const form of forms) {
    if (form.length < MIN_SECRET_LENGTH || known.has(form)) continue;
    known.add(form);
    marker?.(form);
    added = true;
  }
  // Longest first, so a secret that contains another is masked whole.
  if (added) sorted = [...known].sort((a, b) => b.length - a.length);
}

/** Installs the agent's masker (tl.setSecret) and hands it every secret registered so far. */
export function setSecretMarker(mark: (value: string) => void): void {
  marker = mark;
  for (const value of known) mark(value);
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]+)@/gi;
/** A long user name alone in URL userinfo is a token (`https://<PAT>@dev.azure.com`). */
const URL_TOKEN_USER = /\b([a-z][a-z0-9+.-]*:\/\/)([A-Za-z0-9._~%-]{20,})@/gi;
/** `password=` of libpq strings, and the secret keys of ADO.NET, Azure Storage and Service Bus connection strings. */
const KEYWORD_PASSWORD = /\b((?:password|pwd|accountkey|sharedaccesskey)\s*=\s*)('[^']*'|[^\s;&]+)/gi;
const QUERY_TOKEN = /([?&](?:sig|signature|code|token|access_token|refresh_token|id_token|client_secret|api[_-]?key|apikey|subscription-key|password|pwd|secret)=)[^&#\s"'<>]+/gi;
const JWT = /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(bearer\s+)[^\s"',]+/gi;

const SHAPES = [URL_PASSWORD, URL_TOKEN_USER, KEYWORD_PASSWORD, QUERY_TOKEN, JWT, BEARER];

/** Length of the longest registered secret (in any of its registered forms); 0 when none is. */
export function longestSecretLength(): number {
  return sorted[0]?.length ?? 0;
}

/**
 * Where a text that goes on past its end (a stream masked in pieces) may be cut so that masking the two sides apart
 * misses nothing: the largest position at or before `at` that no registered secret and no secret-shaped token
 * found in the text straddles, and that no token running up to the text's end (it may go on in what follows)
 * starts before. The caller keeps at least (longest secret - 1) characters after `at`, so a secret cut off by the
 * text's end begins after it. 0 when no such position exists.
 */
export function safeMaskCut(text: string, at: number): number {
  let cut = Math.min(at, text.length);
  for (let moved = true; moved && cut > 0;) {
    moved = false;
    for (const secret of sorted) {
      const found = text.indexOf(secret, Math.max(0, cut - secret.length + 1));
      if (found >= 0 && found < cut && found + secret.length > cut) [cut, moved] = [found, true];
    }
    for (const shape of SHAPES) {
      for (const match of text.matchAll(shape)) {
        const start = match.index;
        const end = start + match[0].length;
        if (start < cut && (end > cut || end === text.length)) [cut, moved] = [start, true];
      }
    }
  }
  // Never between the two halves of a surrogate pair: each half alone would be written as U+FFFD.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1])) cut--;
  return cut;
}

/** The text with every registered secret and every secret-shaped token replaced by `***`. */
export function maskSecrets(text: string): string {
  let out = text
    .replace(URL_PASSWORD, `$1:${MASK}@`)
    .replace(URL_TOKEN_USER, `$1${MASK}@`)
    .replace(KEYWORD_PASSWORD, `$1${MASK}`)
    .replace(QUERY_TOKEN, `$1${MASK}`)
    .replace(JWT, MASK)
    .replace(BEARER, `$1${MASK}`);
  for (const secret of sorted) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * Fields that hold numbers in an encoding of ours (an HdrHistogram of measured latencies in compressed base64): no
 * user value can be in them, and a short secret that happened to occur among their base64 characters would corrupt
 * the histogram if masked.
 */
const ENCODED_NUMBERS = new Set(['latencyHistogram']);

/** A copy of a JSON-like value with every string masked (keys are names, not secrets, and are kept). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item)) as T;
  if (value && typeof value === 'object' && (value.constructor === Object || Object.getPrototypeOf(value) === null)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ENCODED_NUMBERS.has(k) && typeof v === 'string' && BASE64.test(v) ? v : maskDeep(v)])) as T;
  }
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
