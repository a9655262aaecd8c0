/** The CloudWatch namespace of every metric the system emits (Powertools Metrics). */
export const METRICS_NAMESPACE = "KhartoumProcess";
