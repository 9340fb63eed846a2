/**
 * `requestType: CURL` requests of URL tests: Azure Load Testing lets a request be written as a cURL command
 * (`curlCommand`). The local engine reads the common subset: the URL (or `--url`), `-X/--request`,
 * `-H/--header`, `-d/--data/--data-raw/--data-binary/--data-ascii`, `--json`, `-u/--user`, `-G/--get`,
 * `-I/--head`, and flags that change nothing for a load test (`-L/--location`, `--compressed`, `-s`, `-S`, `-v`).
 * Any other option is refused by name, so no part of a request is silently dropped.
 */
export interface CurlRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** Shell-like words: single quotes, double quotes with backslash escapes, backslash-newline continuations. */
export function shellWords(command: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (ch === '\\' && command[i + 1] === '\n') { i++; continue; }
    if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return 'unclosed single quote';
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === '\\' && '"\\$`'.includes(command[j + 1])) j++;
        word += command[j];
      }
      if (j >= command.length) return 'unclosed double quote';
      inWord = true;
      i = j;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const IGNORED = new Set(['-L', '--location', '--compressed', '-s', '--silent', '-S', '--show-error', '-v', '--verbose', '-i', '--include']);

/** Parses a cURL command, or returns the problem as a sentence. */
export function parseCurl(command: string): CurlRequest | string {
  const words = shellWords(command.trim());
  if (typeof words === 'string') return `cannot read the cURL command: ${words}`;
  if (words[0] !== 'curl') return 'the cURL command must start with "curl"';
  let method: string | undefined;
  let url: string | undefined;
  let get = false;
  const headers: Array<[string, string]> = [];
  const data: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const value = (): string | undefined => words[++i];
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [w.slice(0, eq), w.slice(eq + 1)] : [w, undefined];
    const arg = () => inline ?? value();
    if (IGNORED.has(flag)) continue;
    if (flag === '-X' || flag === '--request') method = arg()?.toUpperCase();
    else if (flag === '-H' || flag === '--header') {
      const h = arg() ?? '';
      const colon = h.indexOf(':');
      if (colon <= 0) return `header "${h}" is not "Name: value"`;
      headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
    } else if (['-d', '--data', '--data-raw', '--data-binary', '--data-ascii'].includes(flag)) {
      const d = arg() ?? '';
      if (d.startsWith('@') && flag !== '--data-raw') return `"${flag} ${d}" reads a file, which a requests JSON cannot carry; put the body in the command or in "body"`;
      data.push(d);
    } else if (flag === '--json') {
      data.push(arg() ?? '');
      headers.push(['content-type', 'application/json'], ['accept', 'application/json']);
    } else if (flag === '-u' || flag === '--user') headers.push(['authorization', `Basic ${Buffer.from(arg() ?? '').toString('base64')}`]);
    else if (flag === '-G' || flag === '--get') get = true;
    else if (flag === '-I' || flag === '--head') method = 'HEAD';
    else if (flag === '--url') url = arg();
    else if (flag.startsWith('-')) return `the cURL option "${flag}" is not supported by the local engine; write the request with endpoint, method, headers and body instead`;
    else if (url === undefined) url = w;
    else return `unexpected word "${w}" after the URL`;
  }
  if (!url) return 'the cURL command has no URL';
  let body: string | undefined = data.length ? data.join('&') : undefined;
  if (get && body !== undefined) {
    url += (url.includes('?') ? '&' : '?') + body;
    body = undefined;
  }
  if (body !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/x-www-form-urlencoded']);
  return { method: method ?? (body !== undefined ? 'POST' : 'GET'), url, headers, body };
}
