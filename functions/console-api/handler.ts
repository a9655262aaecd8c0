import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { DynamoChairRepository } from "../../shared/adapters/chair-repository.js";
import { ConsoleEventPutter } from "../../shared/adapters/console-events.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { DynamoRsvpRepository } from "../../shared/adapters/rsvp-repository.js";
import { deadLetterCounts, sesAccount } from "../../shared/adapters/system-health.js";
import { requireEnv } from "../../shared/platform/config.js";
import { routeConsoleRequest } from "./routes.js";

const logger = new Logger();
const tableName = requireEnv("TABLE_NAME");
const region = requireEnv("AWS_REGION");
const documents = createDocumentClient();
const putter = new ConsoleEventPutter(
  new EventBridgeClient({}),
  requireEnv("EVENT_BUS_NAME"),
  region,
);
const deadLetterQueues = [
  { queue: "UndeliveredEvents", url: requireEnv("UNDELIVERED_EVENTS_QUEUE_URL") },
  { queue: "FailedEvents", url: requireEnv("FAILED_EVENTS_QUEUE_URL") },
  { queue: "SesEventsDeadLetters", url: requireEnv("SES_EVENTS_DEAD_LETTERS_QUEUE_URL") },
];
// The queue's URL is the request's, not its endpoint: locally the runtime answers for the queues.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const ses = new SESv2Client({});
const context = {
  reads: {
    meetings: new DynamoMeetingRepository(documents, tableName),
    contacts: new DynamoContactRepository(documents, tableName),
    notices: new DynamoNoticeRepository(documents, tableName),
    rsvps: new DynamoRsvpRepository(documents, tableName),
    chair: new DynamoChairRepository(documents, tableName),
    rejections: new DynamoRejectionRepository(documents, tableName),
  },
  health: {
    deadLetters: () => deadLetterCounts(sqs, deadLetterQueues),
    sesAccount: () => sesAccount(ses),
  },
  sender: { name: requireEnv("SENDER_NAME"), address: requireEnv("SENDER_ADDRESS") },
  now: () => new Date(),
};

/** The secretariat's console: reads from the table, puts the contract's events on the bus. */
export const handler = middy<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const result = await routeConsoleRequest(event, {
      ...context,
      put: async (events, user) => {
        const results = await putter.put(events, user, event.requestContext.accountId);
        logger.info("Events put from the console", {
          putBy: user.username,
          detailTypes: events.map((put) => put.detailType),
          eventIds: results.map((put) => put.eventId ?? put.error),
        });
        return results;
      },
    });
    logger.info("Console request", {
      method: event.requestContext.http.method,
      path: event.rawPath,
      status: result.statusCode,
    });
    return result;
  });
