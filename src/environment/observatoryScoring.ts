import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderTestFacts } from '../evidence/types';

/**
 * The MDN HTTP Observatory's header tests and scoring (algorithm version 4), reimplemented from its published
 * documentation: "Tests & scoring", developer.mozilla.org/en-US/observatory/docs/tests_and_scoring, and the
 * score table of its open-source scanner (github.com/mdn/mdn-http-observatory, src/grader/charts.js). The npm
 * package `@mdn/mdn-http-observatory` 1.4.8 was evaluated and not used: its scanner falls back to
 * `rejectUnauthorized: false` on certificate errors, takes no CA option (so a private CA cannot be trusted without
 * turning verification off), fetches plain http on port 80 as well, and pulls a web server, Sentry and the native
 * `pg-native` build into the install.
 *
 * Scoring as published: every site starts at 100; each test adds its modifier; bonuses (positive modifiers) count
 * only when the score without them is already 90 or more; the grade is read from the score rounded down to a
 * multiple of 5 (capped at 100). Tests graded here are the eight that depend on the response headers of one HTTPS
 * answer. Two are not: `redirection` (needs the site's plain-http port) and `subresource-integrity` (needs the
 * page's scripts); both are 0 for a site that does them right, so a grade here can be higher than the
 * Observatory's for a site that fails them. HSTS preloading (+5) is not looked up (it needs the preload list).
 */
const GRADE_CHART: Array<[number, string]> = [
  [100, 'A+'], [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [0, 'F'],
];
/** Grades best first, for comparing against a minimum. */
export const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'];
/** The Origin the Observatory sends when it probes CORS. */
export const PROBE_ORIGIN = 'https://http-observatory.security.mozilla.org';
const SIX_MONTHS = 15_552_000;

export function gradeAtLeast(grade: string, minimum: string): boolean {
  return GRADES.indexOf(grade) <= GRADES.indexOf(minimum);
}

export function gradeFor(tests: HeaderTestFacts[]): { score: number; grade: string } {
  const penalties = tests.reduce((sum, t) => sum + Math.min(0, t.modifier), 0);
  const bonuses = tests.reduce((sum, t) => sum + Math.max(0, t.modifier), 0);
  const uncurved = 100 + penalties;
  const score = Math.max(0, uncurved >= 90 ? uncurved + bonuses : uncurved);
  const key = Math.min(score - (score % 5), 100);
  return { score, grade: GRADE_CHART.find(([floor]) => key >= floor)![1] };
}

type Header = string | undefined;
const one = (h: IncomingHttpHeaders, name: string): Header => {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
};
const test = (name: string, result: string, modifier: number, fix?: string): HeaderTestFacts =>
  modifier < 0 && fix ? { test: name, result, modifier, pass: false, fix } : { test: name, result, modifier, pass: modifier >= 0 };

/** Runs the eight header tests on one answer's headers. */
export function scoreHeaders(headers: IncomingHttpHeaders): HeaderTestFacts[] {
  const csp = parseCsp(one(headers, 'content-security-policy'));
  const hsts = hstsTest(one(headers, 'strict-transport-security'));
  return [cspTest(csp), cookiesTest(headers['set-cookie'] ?? [], hsts.modifier === 0), corsTest(headers), referrerTest(one(headers, 'referrer-policy')), hsts,
    nosniffTest(one(headers, 'x-content-type-options')), frameTest(one(headers, 'x-frame-options'), csp), corpTest(one(headers, 'cross-origin-resource-policy'))];
}

type Csp = Map<string, string[]> | 'absent' | 'invalid';

function parseCsp(header: Header): Csp {
  if (header === undefined) return 'absent';
  const map = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    if (!tokens.length) continue;
    const name = tokens[0].toLowerCase();
    if (!/^[a-z-]+$/.test(name)) return 'invalid';
    if (!map.has(name)) map.set(name, tokens.slice(1).map((t) => t.toLowerCase()));
  }
  return map.size ? map : 'invalid';
}

function cspTest(csp: Csp): HeaderTestFacts {
  const name = 'content-security-policy';
  const fix = "send Content-Security-Policy with at least default-src 'self' (or 'none') and no 'unsafe-inline' or 'unsafe-eval' in script-src";
  if (csp === 'absent') return test(name, 'csp-not-implemented', -25, fix);
  if (csp === 'invalid') return test(name, 'csp-header-invalid', -25, `fix the Content-Security-Policy syntax (directive names and sources separated by ";"), then ${fix}`);
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  const styles = csp.get('style-src') ?? csp.get('default-src');
  const strict = (list: string[]) => list.some((s) => s.startsWith("'nonce-") || s.startsWith("'sha") || s === "'strict-dynamic'");
  if (!scripts || (scripts.some((s) => s === "'unsafe-inline'" || s === '*' || s === 'https:' || s === 'data:') && !strict(scripts))) {
    return test(name, 'csp-implemented-with-unsafe-inline', -20, `remove 'unsafe-inline' and wildcards from script-src (use nonces or hashes), and set default-src`);
  }
  if ([...(csp.get('script-src') ?? []), ...(csp.get('object-src') ?? []), ...(csp.get('default-src') ?? [])].some((s) => s === 'http:' || s.startsWith('http://'))) {
    return test(name, 'csp-implemented-with-insecure-scheme', -20, 'load scripts and objects over https only: drop http: sources from the Content-Security-Policy');
  }
  if (scripts.includes("'unsafe-eval'")) return test(name, 'csp-implemented-with-unsafe-eval', -10, "remove 'unsafe-eval' from script-src");
  if (styles?.includes("'unsafe-inline'")) return test(name, 'csp-implemented-with-unsafe-inline-in-style-src-only', 0);
  if (csp.get('default-src')?.join(' ') === "'none'") return test(name, 'csp-implemented-with-no-unsafe-default-src-none', 10);
  return test(name, 'csp-implemented-with-no-unsafe', 5);
}

function cookiesTest(cookies: string[], hstsOk: boolean): HeaderTestFacts {
  const name = 'cookies';
  if (!cookies.length) return test(name, 'cookies-not-found', 0);
  const parsed = cookies.map((c) => {
    const [pair, ...attrs] = c.split(';').map((p) => p.trim());
    const flags = attrs.map((a) => a.toLowerCase());
    const sameSite = flags.find((f) => f.startsWith('samesite'))?.split('=')[1]?.trim();
    return { name: pair.split('=')[0], secure: flags.includes('secure'), httpOnly: flags.includes('httponly'), sameSite };
  });
  const session = (n: string) => /sess|sid|login|auth|token/i.test(n);
  const names = (list: typeof parsed) => list.map((c) => c.name).join(', ');
  const bad = (f: (c: (typeof parsed)[number]) => boolean) => parsed.filter(f);
  if (bad((c) => session(c.name) && !c.secure).length) {
    const list = bad((c) => session(c.name) && !c.secure);
    if (!hstsOk) return test(name, 'cookies-session-without-secure-flag', -40, `set Secure on the session cookie(s) ${names(list)}`);
  }
  if (bad((c) => session(c.name) && !c.httpOnly).length) return test(name, 'cookies-session-without-httponly-flag', -30, `set HttpOnly on the session cookie(s) ${names(bad((c) => session(c.name) && !c.httpOnly))}`);
  if (bad((c) => c.sameSite !== undefined && !['strict', 'lax', 'none'].includes(c.sameSite)).length) {
    return test(name, 'cookies-samesite-flag-invalid', -20, 'write SameSite as Strict, Lax or None');
  }
  const insecure = bad((c) => !c.secure);
  if (insecure.length) {
    if (!hstsOk) return test(name, 'cookies-without-secure-flag', -20, `set Secure on the cookie(s) ${names(insecure)}`);
    return insecure.some((c) => session(c.name))
      ? test(name, 'cookies-session-without-secure-flag-but-protected-by-hsts', -10, `set Secure on the session cookie(s) ${names(insecure)}`)
      : test(name, 'cookies-without-secure-flag-but-protected-by-hsts', -5, `set Secure on the cookie(s) ${names(insecure)}`);
  }
  if (parsed.every((c) => c.sameSite && ['strict', 'lax'].includes(c.sameSite))) return test(name, 'cookies-secure-with-httponly-sessions-and-samesite', 5);
  return test(name, 'cookies-secure-with-httponly-sessions', 0);
}

function corsTest(headers: IncomingHttpHeaders): HeaderTestFacts {
  const name = 'cross-origin-resource-sharing';
  const origin = one(headers, 'access-control-allow-origin');
  if (origin === undefined) return test(name, 'cross-origin-resource-sharing-not-implemented', 0);
  if (origin.trim() === PROBE_ORIGIN && one(headers, 'access-control-allow-credentials')?.trim().toLowerCase() === 'true') {
    return test(name, 'cross-origin-resource-sharing-implemented-with-universal-access', -50, 'stop echoing any Origin in Access-Control-Allow-Origin with credentials allowed; list the trusted origins');
  }
  return origin.trim() === '*' ? test(name, 'cross-origin-resource-sharing-implemented-with-public-access', 0) : test(name, 'cross-origin-resource-sharing-implemented-with-restricted-access', 0);
}

function referrerTest(header: Header): HeaderTestFacts {
  const name = 'referrer-policy';
  if (header === undefined) return test(name, 'referrer-policy-not-implemented', 0);
  const valid = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin', 'origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];
  // Browsers apply the last policy they understand (W3C Referrer Policy §8.1).
  const policy = header.split(',').map((p) => p.trim().toLowerCase()).filter((p) => valid.includes(p)).pop();
  if (!policy) return test(name, 'referrer-policy-header-invalid', -5, 'send Referrer-Policy: strict-origin-when-cross-origin');
  if (valid.indexOf(policy) < 4) return test(name, 'referrer-policy-private', 5);
  return test(name, 'referrer-policy-unsafe', -5, `replace Referrer-Policy: ${policy} with strict-origin-when-cross-origin`);
}

function hstsTest(header: Header): HeaderTestFacts {
  const name = 'strict-transport-security';
  if (header === undefined) return test(name, 'hsts-not-implemented', -20, `send Strict-Transport-Security: max-age=${SIX_MONTHS}; includeSubDomains`);
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(header);
  if (!m) return test(name, 'hsts-header-invalid', -20, `write the header as Strict-Transport-Security: max-age=${SIX_MONTHS}`);
  if (Number(m[1]) < SIX_MONTHS) return test(name, 'hsts-implemented-max-age-less-than-six-months', -10, `raise the HSTS max-age to at least ${SIX_MONTHS} (six months)`);
  return test(name, 'hsts-implemented-max-age-at-least-six-months', 0);
}

function nosniffTest(header: Header): HeaderTestFacts {
  const name = 'x-content-type-options';
  if (header === undefined) return test(name, 'x-content-type-options-not-implemented', -5, 'send X-Content-Type-Options: nosniff');
  return header.trim().toLowerCase() === 'nosniff'
    ? test(name, 'x-content-type-options-nosniff', 0)
    : test(name, 'x-content-type-options-header-invalid', -5, 'the only valid value is X-Content-Type-Options: nosniff');
}

function frameTest(header: Header, csp: Csp): HeaderTestFacts {
  const name = 'x-frame-options';
  if (csp instanceof Map && csp.has('frame-ancestors')) return test(name, 'x-frame-options-implemented-via-csp', 5);
  if (header === undefined) return test(name, 'x-frame-options-not-implemented', -20, "send X-Frame-Options: DENY (or CSP frame-ancestors 'none')");
  const value = header.trim().toLowerCase();
  if (value === 'deny' || value === 'sameorigin') return test(name, 'x-frame-options-sameorigin-or-deny', 0);
  if (value.startsWith('allow-from ')) return test(name, 'x-frame-options-allow-from-origin', 0);
  return test(name, 'x-frame-options-header-invalid', -20, 'write X-Frame-Options as DENY or SAMEORIGIN');
}

function corpTest(header: Header): HeaderTestFacts {
  const name = 'cross-origin-resource-policy';
  if (header === undefined) return test(name, 'corp-not-implemented', 0);
  const value = header.trim().toLowerCase();
  if (value === 'same-origin') return test(name, 'corp-implemented-with-same-origin', 10);
  if (value === 'same-site') return test(name, 'corp-implemented-with-same-site', 10);
  if (value === 'cross-origin') return test(name, 'corp-implemented-with-cross-origin', 0);
  return test(name, 'corp-header-invalid', -5, 'write Cross-Origin-Resource-Policy as same-origin, same-site or cross-origin');
}
