import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { sendDueReminders } from "../../shared/domain/meetings.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { describeIssues, UnroutableEvent } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

/**
 * The periodic sweep (an EventBridge schedule): "now" is the schedule's own time, so the local
 * runtime's movable clock drives it exactly as the real one does in AWS.
 */
export const handler = middy<unknown, { reminders: number }, Error, Context>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler(async (event) => {
    const envelope = EventBridgeSchema.safeParse(event);
    if (!envelope.success) {
      throw new UnroutableEvent(
        `Not a scheduled event: ${describeIssues(envelope.error, "event")}`,
      );
    }
    const reminders = await sendDueReminders({ ...runtime, now: new Date(envelope.data.time) });
    if (reminders > 0) runtime.logger.info("Reminders sent", { reminders });
    return { reminders };
  });
