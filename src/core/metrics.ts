/**
 * The process's metrics: one prom-client registry, exposed as Prometheus text by the HTTP
 * adapter (`GET /metrics`, src/http/server.ts) and incremented by the services and the job
 * engine through the typed helpers below.
 *
 * Labels never carry PHI. Only these label values exist: partner ids (from the reference
 * data), queue names, exception category codes, transaction set ids (834, 820, 999 …) and
 * acknowledgement verdict letters. Every value is checked against its label's pattern before
 * it reaches the registry; anything else (a name, an SSN, a date, a free text) is counted
 * under `other` instead, so a mistaken caller can never publish a person's data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a label value may look like, per label name. */
const LABEL_PATTERNS = {
  /**
   * A trading partner id as the reference data allows it (lower-case letters, digits, `_`,
   * `-`), with at least one letter or `_`: digits alone (an SSN, a date, a member number) never pass.
   */
  partner: /^(?=[0-9-]*[a-z_])[a-z0-9][a-z0-9_-]{0,62}$/,
  queue: /^[a-z][a-z0-9-]{0,63}$/,
  /** An exception category code (src/exceptions/categories.ts): lower-case words with hyphens. */
  category: /^[a-z][a-z0-9-]{0,63}$/,
  /** An X12 transaction set identifier (ST01): three digits. */
  transaction_set: /^\d{3}$/,
  /** An acknowledgement verdict (IK501 / AK901 / TA104): one letter. */
  verdict: /^[A-Z]$/,
  /** An acknowledgement kind. */
  kind: /^(TA1|999)$/,
} as const;

export type MetricLabel = keyof typeof LABEL_PATTERNS;

/** The value under which anything that does not look like its label's values is counted. */
export const OTHER_LABEL = 'other';

/** A label value as the registry may hold it: the value itself when it fits its pattern, else `other`. */
export function safeLabel(label: MetricLabel, value: string): string {
  return LABEL_PATTERNS[label].test(value) ? value : OTHER_LABEL;
}

export interface Metrics {
  readonly registry: Registry;
  /** A file pulled from a partner's mailbox. */
  filePulled(partner: string): void;
  /** An acknowledgement delivered to a partner's folder. */
  ackDelivered(partner: string, kind: string): void;
  /** An acknowledgement's delivery attempt failed (it will be retried). */
  ackDeliveryFailed(partner: string): void;
  /** Exceptions open past their due time now. */
  setOverdue(count: number): void;
  /** A transaction set answered with a verdict (A, E, R, P …). */
  setAcknowledged(transactionSet: string, verdict: string, count?: number): void;
  membersApplied(count: number): void;
  exceptionOpened(category: string, count?: number): void;
  slaBreached(count?: number): void;
  /** A job's run time, from claim to completion or failure. */
  jobFinished(queue: string, seconds: number, failed: boolean): void;
  /** An HTTP answer, by route pattern (never the URL: it may hold a name looked up), method and status. */
  httpAnswered(method: string, route: string, status: number, seconds: number): void;
  /** The Prometheus text of the registry. */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Also collect the process's default metrics (heap, event loop lag, CPU); default false. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'edibridge_' });
  const registers = [registry];
  const filesPulled = new Counter({ name: 'edibridge_files_pulled_total', help: 'Files pulled from partners', labelNames: ['partner'] as const, registers });
  const sets = new Counter({ name: 'edibridge_sets_total', help: 'Transaction sets acknowledged, by set id and verdict', labelNames: ['transaction_set', 'verdict'] as const, registers });
  const members = new Counter({ name: 'edibridge_members_applied_total', help: 'Members applied to the membership model', registers });
  const exceptions = new Counter({ name: 'edibridge_exceptions_opened_total', help: 'Exceptions opened, by category', labelNames: ['category'] as const, registers });
  const acksDelivered = new Counter({ name: 'edibridge_acks_delivered_total', help: 'Acknowledgements delivered to partners, by kind', labelNames: ['partner', 'kind'] as const, registers });
  const ackFailures = new Counter({ name: 'edibridge_ack_delivery_failures_total', help: 'Failed acknowledgement delivery attempts (retried)', labelNames: ['partner'] as const, registers });
  const overdue = new Gauge({ name: 'edibridge_exceptions_overdue', help: 'Exceptions open or in progress past their 48-hour due time', registers });
  const breaches = new Counter({ name: 'edibridge_sla_breaches_total', help: 'Exceptions past their due time', registers });
  const duration = new Histogram({
    name: 'edibridge_job_duration_seconds',
    help: 'Job run time, by queue',
    labelNames: ['queue'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  const failures = new Counter({ name: 'edibridge_job_failures_total', help: 'Jobs that failed (to be retried or not), by queue', labelNames: ['queue'] as const, registers });
  const http = new Histogram({
    name: 'edibridge_http_request_duration_seconds',
    help: 'HTTP answers of the API and console, by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const n = (count: number | undefined): number => (count === undefined || !Number.isFinite(count) || count < 0 ? 1 : count);
  return {
    registry,
    contentType: registry.contentType,
    filePulled: (partner) => filesPulled.inc({ partner: safeLabel('partner', partner) }),
    ackDelivered: (partner, kind) => acksDelivered.inc({ partner: safeLabel('partner', partner), kind: safeLabel('kind', kind) }),
    ackDeliveryFailed: (partner) => ackFailures.inc({ partner: safeLabel('partner', partner) }),
    setOverdue: (count) => overdue.set(Number.isFinite(count) && count >= 0 ? count : 0),
    setAcknowledged: (transactionSet, verdict, count) =>
      sets.inc({ transaction_set: safeLabel('transaction_set', transactionSet), verdict: safeLabel('verdict', verdict) }, n(count)),
    membersApplied: (count) => {
      if (Number.isFinite(count) && count > 0) members.inc(count);
    },
    exceptionOpened: (category, count) => exceptions.inc({ category: safeLabel('category', category) }, n(count)),
    slaBreached: (count) => breaches.inc(n(count)),
    jobFinished: (queue, seconds, failed) => {
      const q = safeLabel('queue', queue);
      duration.observe({ queue: q }, Math.max(0, seconds));
      if (failed) failures.inc({ queue: q });
    },
    httpAnswered: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, Math.max(0, seconds)),
    text: () => registry.metrics(),
  };
}

/** The process's metrics: what the services increment and `GET /metrics` serves. */
export const metrics: Metrics = createMetrics({ defaultMetrics: true });
