import { NoticesDueEvent } from "../../shared/contract/internal.js";
import {
  type DeliverySummary,
  deliverNotices,
  NoticesIncomplete,
  tokenBucket,
} from "../../shared/domain/deliver-notices.js";
import {
  NOTICES_FAILED_METRIC,
  NOTICES_SENT_METRIC,
  NOTICES_SKIPPED_METRIC,
  publishCounts,
} from "../../shared/platform/metrics.js";
import { createSenderRuntime } from "../../shared/platform/sender-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createSenderRuntime();
// One bucket per execution environment; the function's reserved concurrency of one makes it
// the account's rate.
const limiter = tokenBucket(runtime.maxSendRate);

function count(summary: DeliverySummary): void {
  publishCounts(runtime.metrics, {
    [NOTICES_SENT_METRIC]: summary.sent,
    [NOTICES_SKIPPED_METRIC]: summary.skipped,
    [NOTICES_FAILED_METRIC]: summary.failed,
  });
}

export const handler = workflowHandler(
  NoticesDueEvent,
  async (detail, _event, context) => {
    await runtime.prepare();
    const summary = await deliverNotices(detail, {
      ...runtime.delivery,
      limiter,
      // Asked at each claim: a claim taken late in the invocation still ends by its deadline.
      deadline: () => Date.now() + context.getRemainingTimeInMillis(),
    }).catch((error: unknown) => {
      // What went out before the chunk failed is counted; the chunk is retried all the same.
      if (error instanceof NoticesIncomplete && error.summary !== undefined) count(error.summary);
      throw error;
    });
    count(summary);
    runtime.logger.info("Notices delivered", { noticeId: detail.noticeId, ...summary });
  },
  runtime,
);
