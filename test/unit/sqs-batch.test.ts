import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { SesEmailEvent } from "../../shared/contract/ses-events.js";
import type { RejectedEvent, RejectionRepository } from "../../shared/domain/rejections.js";
import { sqsBatchHandler } from "../../shared/platform/sqs-batch.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

class InMemoryRejections implements RejectionRepository {
  readonly recorded: RejectedEvent[] = [];

  async record(rejected: RejectedEvent): Promise<void> {
    this.recorded.push(rejected);
  }

  async list(): Promise<RejectedEvent[]> {
    return [...this.recorded];
  }

  async eraseContact(): Promise<number> {
    return 0;
  }
}

const lambdaContext = {
  functionName: "record-delivery",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  getRemainingTimeInMillis: () => 30_000,
} as Context;

function sesEvent(messageId: string, detail: Record<string, unknown> = {}) {
  return {
    version: "0",
    id: `event-${messageId}`,
    "detail-type": "Email Delivered",
    source: "aws.ses",
    account: "123456789012",
    time: "2023-03-16T09:00:00Z",
    region: "eu-central-1",
    resources: [],
    detail: { eventType: "Delivery", mail: { messageId }, ...detail },
  };
}

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1678957200000",
      SenderId: "events.amazonaws.com",
      ApproximateFirstReceiveTimestamp: "1678957200000",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-central-1:123456789012:ses-events",
    awsRegion: "eu-central-1",
  };
}

function prepare() {
  const rejections = new InMemoryRejections();
  const recorded: string[] = [];
  const logger = new Logger({ logLevel: "SILENT" });
  const handler = sqsBatchHandler(
    workflowHandler(
      SesEmailEvent,
      async (detail) => {
        if (detail.mail.messageId === "throttled") throw new Error("ProvisionedThroughputExceeded");
        recorded.push(detail.mail.messageId);
      },
      { rejections, logger, now: () => new Date("2023-03-16T09:00:05Z") },
    ),
    logger,
  );
  return { handler, rejections, recorded };
}

describe("record-delivery's batch of SES events from the queue", () => {
  it("reports only the record that failed; the others are recorded and deleted", async () => {
    const { handler, recorded } = prepare();
    const response = await handler(
      {
        Records: ["m-1", "throttled", "m-3"].map((id) =>
          record(`sqs-${id}`, JSON.stringify(sesEvent(id))),
        ),
      },
      lambdaContext,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "sqs-throttled" }] });
    expect(recorded).toEqual(["m-1", "m-3"]);
  });

  it("fails a body that is not an EventBridge event alone, so it reaches the DLQ after its receives", async () => {
    const { handler, recorded } = prepare();
    const response = await handler(
      {
        Records: [
          record("sqs-garbled", "{not json"),
          record("sqs-bare", JSON.stringify({ eventType: "Delivery" })),
          record("sqs-m-1", JSON.stringify(sesEvent("m-1"))),
        ],
      },
      lambdaContext,
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: "sqs-garbled" },
      { itemIdentifier: "sqs-bare" },
    ]);
    expect(recorded).toEqual(["m-1"]);
  });

  it("records an SES event the contract refuses as rejected, and its record succeeds", async () => {
    const { handler, rejections, recorded } = prepare();
    const refused = sesEvent("m-2", { eventType: "Teleported" });
    const response = await handler(
      { Records: [record("sqs-refused", JSON.stringify(refused))] },
      lambdaContext,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(recorded).toEqual([]);
    expect(rejections.recorded.map((rejected) => rejected.eventId)).toEqual(["event-m-2"]);
  });
});
