import type { HeadersSpec } from '../config';
import { describeNetworkError, httpGet } from '../httpGet';
import { gradeAtLeast, gradeFor, PROBE_ORIGIN, scoreHeaders } from '../observatoryScoring';
import { checkResult, type CheckContext } from '../result';

/** Security headers graded the way the MDN HTTP Observatory grades them (see observatoryScoring.ts). */
export async function runHeadersCheck(spec: HeadersSpec, ctx: CheckContext) {
  const started = performance.now();
  let answer;
  try {
    answer = await httpGet(spec.url, { ca: spec.ca, headers: { origin: PROBE_ORIGIN }, timeoutMs: 15_000, signal: ctx.signal });
  } catch (error) {
    return checkResult(spec, 'unknown', `Could not fetch ${spec.url} (${describeNetworkError(error)}), so its headers were not graded; make the page reachable from the agent and run the check again.`, started);
  }
  // The Observatory grades only answers a browser would render: 2xx, 3xx, 401 and 403 (its scanner/index.js).
  if (answer.status < 200 || (answer.status >= 400 && answer.status !== 401 && answer.status !== 403)) {
    return checkResult(spec, 'unknown', `${spec.url} answered HTTP ${answer.status}, which the Observatory does not grade; point url at a page that answers 200.`, started);
  }
  const tests = scoreHeaders(answer.headers);
  const { score, grade } = gradeFor(tests);
  const facts = { url: spec.url, grade, score, tests };
  if (gradeAtLeast(grade, spec.minGrade)) {
    return checkResult(spec, 'passed', `${spec.url} grades ${grade} (score ${score}), at or above the minimum ${spec.minGrade}.`, started, { headers: facts });
  }
  const failing = tests.filter((t) => !t.pass).sort((a, b) => a.modifier - b.modifier);
  const fixes = failing.map((t) => `${t.test} (${t.modifier}): ${t.fix}`).join('; ');
  return checkResult(spec, 'failed', `${spec.url} grades ${grade} (score ${score}), under the minimum ${spec.minGrade}; fix ${fixes}.`, started, { headers: facts });
}
