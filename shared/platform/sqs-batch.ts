import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";

/**
 * An SQS event source's handler with partial batch failure (`ReportBatchItemFailures`): each
 * record's body is an EventBridge event (the rule's target is the queue), handed to `handle` one
 * at a time. A record whose handling throws is reported in `batchItemFailures`, so SQS makes only
 * it visible again (and moves it to the queue's DLQ after maxReceiveCount); the others are
 * deleted. A body that is not JSON fails alone the same way: the queue's policy lets only the
 * rule send, so it is a deployment fault to look at, not input to reject.
 */
export function sqsBatchHandler(
  handle: (event: unknown, context: Context) => Promise<unknown>,
  logger: Logger,
) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      try {
        await handle(JSON.parse(record.body) as unknown, context);
      } catch (error) {
        logger.error("Record failed; SQS will deliver it again, then move it to the DLQ", {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
