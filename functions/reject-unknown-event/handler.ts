import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { DETAIL_TYPES } from "../../shared/contract/index.js";
import {
  describeIssues,
  rejectEvent,
  UnroutableEvent,
  type WorkflowOutcome,
} from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();

/**
 * The secretariat's events whose detail-type is not in the contract (a typo such as
 * "Meeting scheduled" would otherwise match no rule and vanish): kept with the reason.
 */
export const handler = middy<unknown, WorkflowOutcome, Error, Context>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler(async (event) => {
    const envelope = EventBridgeSchema.safeParse(event);
    if (!envelope.success) {
      throw new UnroutableEvent(
        `Not an EventBridge event: ${describeIssues(envelope.error, "event")}`,
      );
    }
    const detailType = envelope.data["detail-type"];
    return rejectEvent(
      envelope.data,
      `"${detailType}" is not a detail-type of the contract; expected one of: ${DETAIL_TYPES.join(", ")}.`,
      runtime,
    );
  });
