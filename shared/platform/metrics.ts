/** The CloudWatch namespace of every metric the system emits (Powertools Metrics). */
export const METRICS_NAMESPACE = "KhartoumProcess";
export const EVENTS_REJECTED_METRIC = "EventsRejected";
export const NOTICES_SENT_METRIC = "NoticesSent";
export const NOTICES_SKIPPED_METRIC = "NoticesSkipped";
export const NOTICES_FAILED_METRIC = "NoticesFailed";
export const NOTICES_SUPPRESSED_METRIC = "NoticesSuppressed";
export const NOTICES_GIVEN_UP_METRIC = "NoticesGivenUp";
export const NOTICES_RESENT_METRIC = "NoticesResent";
