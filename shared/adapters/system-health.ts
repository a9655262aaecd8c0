import { GetAccountCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueCount, SesAccountState } from "../domain/health.js";

/**
 * The messages in each dead-letter queue: those waiting and those being read (a redrive under
 * way), as SQS approximates them.
 */
export async function deadLetterCounts(
  sqs: SQSClient,
  queues: readonly { queue: string; url: string }[],
): Promise<QueueCount[]> {
  return Promise.all(
    queues.map(async ({ queue, url }) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const messages =
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      return { queue, messages };
    }),
  );
}

/** The account's sandbox state and quota; an error is told, not thrown (a page still shows). */
export async function sesAccount(ses: SESv2Client): Promise<SesAccountState> {
  try {
    const account = await ses.send(new GetAccountCommand({}));
    return {
      productionAccess: account.ProductionAccessEnabled ?? false,
      sendingEnabled: account.SendingEnabled ?? false,
      max24HourSend: account.SendQuota?.Max24HourSend ?? 0,
      maxSendRate: account.SendQuota?.MaxSendRate ?? 0,
      sentLast24Hours: account.SendQuota?.SentLast24Hours ?? 0,
    };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
