import type { Action, Operator } from './grammar';

/** One client-side failure criterion, parsed and reduced. It states a failure condition (Azure's polarity). */
export interface Criterion {
  /** The criterion as the user wrote it; map-form entries read `Request: expr`. */
  expression: string;
  /** Request name when the criterion applies to one request only; absent means all requests (the totals). */
  request?: string;
  /** Canonical aggregate: avg, min, max, p50..p99, p999, p9999, percentage, count. */
  aggregate: string;
  /** response_time_ms, latency, error, requests_per_sec or requests. */
  metric: string;
  operator: Operator;
  threshold: number;
  /** `stop` ends the run as soon as the criterion fails; `continue` (Azure's only action) judges it at the end. */
  action: Action;
  /** 1-based line in the configuration file, when known. */
  line?: number;
  /** `> baseline + 10%`: judged against earlier runs by src/regression, never against `threshold` directly. */
  baseline?: { relative: boolean };
}

/** Azure Load Testing's auto-stop: end the run when the error percentage over a time window gets too high. */
export interface AutoStop {
  disabled: boolean;
  errorPercentage: number;
  timeWindowSeconds: number;
  maximumVirtualUsersPerEngine?: number;
}

/** A server-side criterion on an Azure Monitor metric. Only Azure Load Testing evaluates these. */
export interface ServerMetricCriterion {
  resourceId: string;
  metricNamespace?: string;
  metricName: string;
  /** Azure Monitor aggregation: Average, Minimum, Maximum, Total or Count. */
  aggregation: string;
  condition: 'GreaterThan' | 'LessThan';
  value: number;
  line?: number;
}

/** Where a raw value came from, so problems can name `file:line`. Paths are relative to the raw value passed. */
export interface Where {
  file: string;
  lineOf?: (path: (string | number)[]) => number | undefined;
}
