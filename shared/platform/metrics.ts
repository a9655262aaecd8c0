import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** The CloudWatch namespace of every metric the system emits (Powertools Metrics). */
export const METRICS_NAMESPACE = "KhartoumProcess";
export const EVENTS_REJECTED_METRIC = "EventsRejected";
export const NOTICES_SENT_METRIC = "NoticesSent";
export const NOTICES_SKIPPED_METRIC = "NoticesSkipped";
export const NOTICES_FAILED_METRIC = "NoticesFailed";
export const NOTICES_SUPPRESSED_METRIC = "NoticesSuppressed";
export const NOTICES_GIVEN_UP_METRIC = "NoticesGivenUp";
export const NOTICES_RESENT_METRIC = "NoticesResent";

/** One function's metrics (EMF); its `service` dimension is the function's name. */
export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE });
}

/**
 * Adds counts and publishes them at once: a workflow publishes only when it has something to
 * count, so an invocation with nothing to say writes no empty metrics line.
 */
export function publishCounts(metrics: Metrics, counts: Record<string, number>): void {
  const nonZero = Object.entries(counts).filter(([, value]) => value > 0);
  if (nonZero.length === 0) return;
  for (const [name, value] of nonZero) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
