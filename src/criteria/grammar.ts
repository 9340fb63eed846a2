/**
 * The failure-criterion grammar: Azure Load Testing's client-metric criteria, as a strict superset.
 *
 *   criterion  = [ request ":" ] aggregate "(" metric ")" operator ( number [ unit ] | relative ) [ "," action ] ;
 *   relative   = "baseline" ( "+" | "-" ) number [ "%" | "ms" ] ;   (ours: a regression against the baseline)
 *   request    = any text up to the last ":" before "(" (string form only; the map form gives it as the key) ;
 *   aggregate  = "avg" | "min" | "max" | "p50" | "p75" | "p90" | "p95" | "p96" | "p97" | "p98" | "p99"
 *              | "p999" | "p99.9" | "p9999" | "p99.99" | "percentage" | "count" ;
 *   metric     = "response_time_ms" | "latency" | "error" | "requests_per_sec" | "requests" ;
 *   operator   = ">" | "<" | ">=" | "<=" ;
 *   number     = digit { digit } [ "." digit { digit } ] ;
 *   unit       = "ms"  (response_time_ms and latency only) | "%"  (error only) ;
 *   action     = "continue" | "stop" ;
 *   Blanks may appear between any two symbols.
 *
 * Which aggregate goes with which metric follows the task's `ValidAggregateList` (reference §2.3):
 * time metrics take avg/min/max/percentiles, `error` takes `percentage`, `requests_per_sec` takes `avg`,
 * `requests` takes `count`.
 *
 * A criterion states a FAILURE condition (Azure's polarity): `p95(response_time_ms) > 300` fails the run when
 * p95 is above 300 ms.
 *
 * Where we go beyond Azure (DESIGN.md "Compatibility"): decimals are kept (Azure's task truncates `0.5` to 0),
 * `>=` and `<=` are accepted, the `stop` action is accepted, `p99.9`/`p99.99` are spelt either way, and the
 * string form may carry `Request:`, and a threshold may be relative to the baseline of earlier runs
 * (`p95(response_time_ms) > baseline + 10%`), which Azure has no syntax for, so no Azure criterion changes meaning.
 * Azure's task strips any trailing text after the number; we accept only the
 * units that mean what they say (`ms`, `%`) and reject others, so `300s` is never silently read as 300 ms.
 */

import { nearest as nearestOf } from '../config/suggest';

export type Operator = '>' | '<' | '>=' | '<=';
export type Action = 'continue' | 'stop';
export type Metric = 'response_time_ms' | 'latency' | 'error' | 'requests_per_sec' | 'requests';

export const METRICS: readonly Metric[] = ['response_time_ms', 'latency', 'error', 'requests_per_sec', 'requests'];
export const PERCENTILES = ['p50', 'p75', 'p90', 'p95', 'p96', 'p97', 'p98', 'p99', 'p999', 'p9999'] as const;
const TIME_AGGREGATES = ['avg', 'min', 'max', ...PERCENTILES];

/** Aggregates each metric accepts (canonical spellings). */
export const AGGREGATES_BY_METRIC: Readonly<Record<Metric, readonly string[]>> = Object.freeze({
  response_time_ms: TIME_AGGREGATES,
  latency: TIME_AGGREGATES,
  error: ['percentage'],
  requests_per_sec: ['avg'],
  requests: ['count'],
});

/** Azure's REST enum spells the two finest percentiles with a dot; the task sends them without. Both mean the same. */
const AGGREGATE_ALIASES: Readonly<Record<string, string>> = Object.freeze({ 'p99.9': 'p999', 'p99.99': 'p9999' });
export const ALL_AGGREGATES: readonly string[] = [...TIME_AGGREGATES, 'p99.9', 'p99.99', 'percentage', 'count'];
export const ACTIONS: readonly Action[] = ['continue', 'stop'];

export interface ParsedExpression {
  request?: string;
  /** Canonical spelling: `p99.9` becomes `p999`. */
  aggregate: string;
  metric: Metric;
  operator: Operator;
  threshold: number;
  action: Action;
  /**
   * Set for `op baseline ± number`: the criterion fails when the run regressed against its baseline by more than
   * `threshold`, a percent of the baseline (`relative`) or an amount in the metric's unit. Judged by
   * src/regression, never by comparing a figure with the number.
   */
  baseline?: { relative: boolean };
}

/** Aggregates a baseline criterion may compare: single samples (min, max) are too noisy to hold a baseline to. */
const BASELINE_AGGREGATES = new Set(['avg', ...PERCENTILES, 'percentage']);

/** A grammar problem: the message, and the 0-based span of the offending text inside the expression. */
export interface GrammarProblem {
  message: string;
  start: number;
  end: number;
}

export type ParseOutcome = { ok: true; value: ParsedExpression } | { ok: false; problem: GrammarProblem };

/**
 * Parses one criterion. `request` is the map-form key, when there is one; then the text itself must not carry a
 * `Request:` prefix of its own.
 */
export function parseExpression(text: string, request?: string): ParseOutcome {
  try {
    return { ok: true, value: new ExpressionParser(text, request).parse() };
  } catch (error) {
    if (error instanceof GrammarFailure) return { ok: false, problem: error.problem };
    throw error;
  }
}

class GrammarFailure extends Error {
  constructor(readonly problem: GrammarProblem) {
    super(problem.message);
  }
}

class ExpressionParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private request: string | undefined,
  ) {}

  parse(): ParsedExpression {
    if (this.request === undefined) this.splitRequestPrefix();
    else if (this.request.trim() === '') this.fail('the request name (the map key) is empty; write the request name before the colon', 0, 0);

    this.skipBlanks();
    const aggStart = this.pos;
    const aggregateWord = this.take(/[A-Za-z0-9_.]/);
    if (!aggregateWord) this.fail('expected an aggregate such as avg or p95 here', aggStart, aggStart + 1);
    this.skipBlanks();
    this.expect('(', `expected "(" after "${aggregateWord}"; write it as ${aggregateWord}(metric)`);
    this.skipBlanks();
    const metricStart = this.pos;
    const metricWord = this.take(/[A-Za-z0-9_.]/);
    this.skipBlanks();
    this.expect(')', metricWord ? `expected ")" after "${metricWord}"` : 'expected a metric such as response_time_ms here');

    // k6 writes p(95); tell the user the Azure spelling rather than "unknown metric 95".
    if (aggregateWord === 'p' && /^\d+(\.\d+)?$/.test(metricWord)) {
      this.fail(`k6-style "p(${metricWord})" is not this grammar; write p${metricWord.replace('.', '')}(response_time_ms)`, aggStart, this.pos);
    }
    const metric = this.checkMetric(metricWord, metricStart);
    const aggregate = this.checkAggregate(aggregateWord, aggStart, metric);

    this.skipBlanks();
    const opStart = this.pos;
    const operator = this.readOperator();
    this.skipBlanks();
    let threshold: number;
    let baseline: ParsedExpression['baseline'];
    if (/^baseline\b/.test(this.text.slice(this.pos))) {
      ({ threshold, baseline } = this.readBaseline(metric, aggregate, operator, aggStart, opStart));
    } else {
      threshold = this.readNumber(metric);
    }
    this.skipBlanks();
    let action: Action = 'continue';
    if (this.peek() === ',') {
      this.pos++;
      this.skipBlanks();
      const actionStart = this.pos;
      const word = this.take(/[A-Za-z_]/);
      if (!ACTIONS.includes(word as Action)) {
        const shown = word || this.text.slice(actionStart).trim();
        this.fail(`unknown action "${shown}"; use continue or stop`, actionStart, Math.max(actionStart + 1, actionStart + shown.length));
      }
      action = word as Action;
      if (baseline && action === 'stop') this.fail('a baseline criterion is judged against earlier runs once the run has ended, so it cannot stop the run; use continue', actionStart, actionStart + word.length);
      this.skipBlanks();
    }
    if (this.pos < this.text.length) {
      this.fail(`unexpected "${this.text.slice(this.pos).trim()}" after the criterion`, this.pos, this.text.length);
    }
    return { request: this.request?.trim() || undefined, aggregate, metric, operator, threshold, action, ...(baseline ? { baseline } : {}) };
  }

  /** `baseline + 10%`, `baseline + 20 ms`, `baseline - 5%`: the direction must be the metric's worse one. */
  private readBaseline(metric: Metric, aggregate: string, operator: Operator, aggStart: number, opStart: number): { threshold: number; baseline: { relative: boolean } } {
    const start = this.pos;
    this.pos += 'baseline'.length;
    const lowerIsWorse = metric === 'requests_per_sec';
    const worse = lowerIsWorse ? '-' : '+';
    const example = lowerIsWorse ? 'avg(requests_per_sec) < baseline - 10%' : `${aggregate}(${metric}) > baseline + 10%`;
    if (metric === 'latency' || metric === 'requests') {
      this.fail(`${metric} cannot be compared with a baseline; compare response_time_ms, error or requests_per_sec`, start, this.pos);
    }
    if (!BASELINE_AGGREGATES.has(aggregate)) this.fail(`${aggregate} is a single sample, too noisy to hold to a baseline; compare a percentile or avg`, aggStart, aggStart + aggregate.length);
    if (operator.startsWith('<') !== lowerIsWorse) this.fail(`a regression of ${metric} is a ${lowerIsWorse ? 'fall' : 'rise'}: write ${example}`, opStart, opStart + operator.length);
    this.skipBlanks();
    if (this.peek() !== worse) this.fail(`expected "${worse}" after baseline, e.g. ${example}`, this.pos, this.pos + 1);
    this.pos++;
    this.skipBlanks();
    const numberStart = this.pos;
    const match = this.text.slice(numberStart).match(/^\d+(\.\d+)?/);
    if (!match) this.fail(`expected a number after "baseline ${worse}", e.g. ${example}`, numberStart, numberStart + 1);
    this.pos += match[0].length;
    const value = Number(match[0]);
    this.skipBlanks();
    if (value === 0) this.fail('a threshold of 0 would call every measurable change a regression; give the smallest change that matters', numberStart, this.pos);
    const unitStart = this.pos;
    const unit = this.take(/[A-Za-z%]/);
    if (unit === '%') return { threshold: value, baseline: { relative: true } };
    const ownUnit = metric === 'response_time_ms' ? 'ms' : undefined;
    if (unit && unit !== ownUnit) {
      this.fail(`unit "${unit}" is not allowed here; write % (of the baseline)${ownUnit ? ' or ms' : ` or a plain number (${metric === 'error' ? 'percentage points' : 'requests per second'})`}`, unitStart, unitStart + unit.length);
    }
    return { threshold: value, baseline: { relative: false } };
  }

  /** String form: everything before the last ":" that precedes "(" is the request name. */
  private splitRequestPrefix(): void {
    const paren = this.text.indexOf('(');
    const colon = paren === -1 ? this.text.lastIndexOf(':') : this.text.lastIndexOf(':', paren);
    if (colon === -1) return;
    const name = this.text.slice(0, colon).trim();
    if (!name) this.fail('the request name before ":" is empty', colon, colon + 1);
    this.request = name;
    this.pos = colon + 1;
  }

  private checkMetric(word: string, start: number): Metric {
    if ((METRICS as readonly string[]).includes(word)) return word as Metric;
    const near = nearestOf(word, METRICS);
    this.fail(`unknown metric "${word}"${near ? `; did you mean "${near}"?` : `; valid metrics: ${METRICS.join(', ')}`}`, start, start + Math.max(1, word.length));
  }

  private checkAggregate(word: string, start: number, metric: Metric): string {
    const canonical = AGGREGATE_ALIASES[word] ?? word;
    const valid = AGGREGATES_BY_METRIC[metric];
    if (valid.includes(canonical)) return canonical;
    const span = start + Math.max(1, word.length);
    if (ALL_AGGREGATES.includes(word)) {
      this.fail(`aggregate "${word}" does not apply to ${metric}; use ${valid.map((a) => `${a}(${metric})`).join(', ')}`, start, span);
    }
    const near = nearestOf(word, [...valid, ...(valid.includes('p999') ? ['p99.9', 'p99.99'] : [])]);
    this.fail(`unknown aggregate "${word}" for ${metric}${near ? `; did you mean "${near}"?` : `; expected one of: ${valid.join(', ')}`}`, start, span);
  }

  private readOperator(): Operator {
    const start = this.pos;
    const two = this.text.slice(start, start + 2);
    if (two === '>=' || two === '<=') {
      this.pos += 2;
      return two;
    }
    const one = this.peek();
    if (one === '>' || one === '<') {
      this.pos += 1;
      return one;
    }
    const found = this.text.slice(start).match(/^[=!<>]+/)?.[0];
    if (found) this.fail(`operator "${found}" is not supported; use >, <, >= or <=`, start, start + found.length);
    this.fail('expected an operator (>, <, >= or <=) here', start, start + 1);
  }

  private readNumber(metric: Metric): number {
    const start = this.pos;
    const match = this.text.slice(start).match(/^\d+(\.\d+)?/);
    if (!match) {
      const negative = this.peek() === '-';
      this.fail(negative ? 'thresholds cannot be negative' : 'expected a number here', start, start + 1);
    }
    this.pos += match[0].length;
    const value = Number(match[0]);
    const unitStart = this.pos;
    const unit = this.take(/[A-Za-z%]/);
    if (unit) {
      const allowed = metric === 'response_time_ms' || metric === 'latency' ? 'ms' : metric === 'error' ? '%' : undefined;
      if (unit !== allowed) {
        this.fail(
          allowed ? `unit "${unit}" is not allowed for ${metric}; write the number in ${allowed === 'ms' ? 'milliseconds' : 'percent'}` : `${metric} takes a plain number, without a unit`,
          unitStart,
          unitStart + unit.length,
        );
      }
    }
    if (metric === 'error' && value > 100) this.fail('percentage(error) must be between 0 and 100', start, this.pos);
    return value;
  }

  private take(allowed: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && allowed.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private expect(char: string, message: string): void {
    if (this.peek() !== char) this.fail(message, this.pos, this.pos + 1);
    this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipBlanks(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private fail(message: string, start: number, end: number): never {
    throw new GrammarFailure({ message, start, end: Math.max(end, start + 1) });
  }
}

/** The expression quoted with a caret line under the offending span, for error messages. */
export function pointAt(text: string, problem: GrammarProblem, indent = '      '): string {
  const start = Math.min(problem.start, text.length);
  const width = Math.max(1, Math.min(problem.end, text.length + 1) - start);
  return `${indent}${text}\n${indent}${' '.repeat(start)}${'^'.repeat(width)}`;
}
