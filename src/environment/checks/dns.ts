import { Resolver } from 'node:dns/promises';
import type { DnsFacts } from '../../evidence/types';
import type { DnsSpec } from '../config';
import { checkResult, type CheckContext } from '../result';

/** Answers that mean "no such record", as opposed to a resolver that could not answer. */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * A name resolves to the expected records. A and AAAA compare as sets (every expected address present, nothing
 * else: a stray address is traffic going somewhere unplanned); CNAME compares the first alias, without the
 * trailing dot and case-insensitively (RFC 4343). The resolver is the one named, or this machine's.
 */
export async function runDnsCheck(spec: DnsSpec, ctx: CheckContext) {
  const started = performance.now();
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (spec.resolver) resolver.setServers([spec.resolver]);
  const abort = () => resolver.cancel();
  ctx.signal.addEventListener('abort', abort, { once: true });
  const facts: DnsFacts = {
    name: spec.host,
    resolver: spec.resolver ?? resolver.getServers().join(', '),
    expected: { ...(spec.a ? { A: spec.a } : {}), ...(spec.aaaa ? { AAAA: spec.aaaa } : {}), ...(spec.cname ? { CNAME: spec.cname } : {}) },
    found: { A: [], AAAA: [], CNAME: [] },
  };
  try {
    const ask = async (f: () => Promise<string[]>) => {
      try {
        return await f();
      } catch (error) {
        if (NO_RECORD.has((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    };
    if (spec.a) facts.found.A = await ask(() => resolver.resolve4(spec.host));
    if (spec.aaaa) facts.found.AAAA = await ask(() => resolver.resolve6(spec.host));
    if (spec.cname) facts.found.CNAME = await ask(() => resolver.resolveCname(spec.host));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return checkResult(spec, 'unknown', `The resolver ${facts.resolver} did not answer for ${spec.host} (${code}); check that it is reachable from the agent, or choose another with resolver.`, started, { dns: facts });
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
  const problems: string[] = [];
  const sameSet = (expected: string[], found: string[]) => expected.length === found.length && expected.every((e) => found.includes(e));
  if (spec.a && !sameSet(spec.a, facts.found.A)) problems.push(`A is ${list(facts.found.A)}, expected ${list(spec.a)}`);
  if (spec.aaaa && !sameSet(spec.aaaa.map(normal6), facts.found.AAAA.map(normal6))) problems.push(`AAAA is ${list(facts.found.AAAA)}, expected ${list(spec.aaaa)}`);
  const bare = (n: string) => n.replace(/\.$/, '').toLowerCase();
  if (spec.cname && bare(facts.found.CNAME[0] ?? '') !== bare(spec.cname)) problems.push(`CNAME is ${list(facts.found.CNAME)}, expected ${spec.cname}`);
  if (problems.length) {
    return checkResult(spec, 'failed', `${spec.host} via ${facts.resolver}: ${problems.join('; ')}; correct the record at the DNS zone (or the expectation in the environment file if the change was planned).`, started, { dns: facts });
  }
  const found = [...facts.found.A, ...facts.found.AAAA, ...facts.found.CNAME.slice(0, 1)].join(', ');
  return checkResult(spec, 'passed', `${spec.host} resolves via ${facts.resolver} to ${found}, as expected.`, started, { dns: facts });
}

function list(values: string[]): string {
  return values.length ? values.join(', ') : 'absent';
}

/** ::1 and 0:0:0:0:0:0:0:1 are one address; compare IPv6 in its expanded form. */
function normal6(address: string): string {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const middle = address.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...middle, ...t].map((p) => p.replace(/^0+(?=.)/, '')).join(':');
}
