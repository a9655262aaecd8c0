import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { type ReconcileSummary, reconcileNotices } from "../../shared/domain/reconcile-notices.js";
import {
  METRICS_NAMESPACE,
  NOTICES_GIVEN_UP_METRIC,
  NOTICES_RESENT_METRIC,
} from "../../shared/platform/metrics.js";
import { createReconcilerRuntime } from "../../shared/platform/notice-runtime.js";
import { describeIssues, UnroutableEvent } from "../../shared/platform/workflow-handler.js";

const runtime = createReconcilerRuntime();
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "reconcile-notices" });

/**
 * The self-healing sweep (an EventBridge schedule): hands the recipients no sender reached to
 * the sender again, and gives up, loudly, on what stays unsent too long. "Now" is the schedule's
 * own time, so the local runtime's clock drives it as the real one does in AWS.
 */
export const handler = middy<unknown, ReconcileSummary, Error, Context>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler(async (event) => {
    const envelope = EventBridgeSchema.safeParse(event);
    if (!envelope.success) {
      throw new UnroutableEvent(
        `Not a scheduled event: ${describeIssues(envelope.error, "event")}`,
      );
    }
    const summary = await reconcileNotices({ ...runtime, now: new Date(envelope.data.time) });
    for (const notice of summary.gaveUp) {
      runtime.logger.error("Gave up on a notice: recipients recorded as failed", { ...notice });
    }
    if (summary.resent > 0) {
      runtime.logger.warn("Recipients handed to the sender again", { resent: summary.resent });
    }
    const givenUp = summary.gaveUp.reduce((total, notice) => total + notice.recipients, 0);
    metrics.addMetric(NOTICES_GIVEN_UP_METRIC, MetricUnit.Count, givenUp);
    metrics.addMetric(NOTICES_RESENT_METRIC, MetricUnit.Count, summary.resent);
    metrics.publishStoredMetrics();
    return summary;
  });
