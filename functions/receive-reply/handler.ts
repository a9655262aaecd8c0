import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { PublishFailed } from "../../shared/adapters/notice-publisher.js";
import { S3ReplyMailbox } from "../../shared/adapters/reply-mailbox.js";
import { ReplyReceivedEvent, sesReceiptEventSchema } from "../../shared/contract/replies.js";
import { receiveReply } from "../../shared/domain/receive-reply.js";
import { readReply } from "../../shared/notices/itip-reply.js";
import { requireEnv } from "../../shared/platform/config.js";
import { describeIssues, UnroutableEvent } from "../../shared/platform/workflow-handler.js";

const logger = new Logger();
const mainBusArn = requireEnv("MAIN_EVENT_BUS_ARN");
// The bus lives in the main region: the client is that region's.
const eventBridge = new EventBridgeClient({ region: requireEnv("MAIN_REGION") });
const mailbox = new S3ReplyMailbox(requireEnv("REPLY_BUCKET"), requireEnv("AWS_REGION"));
const keyPrefix = process.env.REPLY_KEY_PREFIX ?? "";

/** SES receiving's Lambda action (after the S3 action): hands each answer to the main bus. */
export const handler = middy<unknown, { handed: number }, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const parsed = sesReceiptEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new UnroutableEvent(
        `Not an SES receipt event: ${describeIssues(parsed.error, "event")}`,
      );
    }
    const handed = await receiveReply(parsed.data, {
      mailbox,
      keyPrefix,
      read: readReply,
      async handOver(detail) {
        const response = await eventBridge.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: mainBusArn,
                Source: ReplyReceivedEvent.source,
                DetailType: ReplyReceivedEvent.detailType,
                Detail: JSON.stringify(detail),
              },
            ],
          }),
        );
        if ((response.FailedEntryCount ?? 0) > 0) {
          const entry = response.Entries?.[0];
          throw new PublishFailed(
            `Reply Received not accepted: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
          );
        }
      },
    });
    for (const detail of handed) {
      logger.info("Reply handed to the main bus", {
        messageId: detail.messageId,
        read: detail.reply !== undefined,
        spf: detail.verdicts.spf,
        dkim: detail.verdicts.dkim,
      });
    }
    return { handed: handed.length };
  });
