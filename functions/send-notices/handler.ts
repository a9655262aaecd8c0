import { NoticesDueEvent } from "../../shared/contract/internal.js";
import { deliverNotices, tokenBucket } from "../../shared/domain/deliver-notices.js";
import { createSenderRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createSenderRuntime();
// One bucket per execution environment; the function's reserved concurrency of one makes it
// the account's rate.
const limiter = tokenBucket(runtime.maxSendRate);

export const handler = workflowHandler(
  NoticesDueEvent,
  async (detail, _event, context) => {
    await runtime.prepare();
    const summary = await deliverNotices(detail, {
      ...runtime.delivery,
      limiter,
      // Asked at each claim: a claim taken late in the invocation still ends by its deadline.
      deadline: () => Date.now() + context.getRemainingTimeInMillis(),
    });
    runtime.logger.info("Notices delivered", { noticeId: detail.noticeId, ...summary });
  },
  runtime,
);
