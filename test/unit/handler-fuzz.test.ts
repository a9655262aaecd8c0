import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SESClient } from "@aws-sdk/client-ses";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CONTRACT_EVENTS, kebabDetailType, SOURCE } from "../../shared/contract/index.js";
import { MAX_REASON_LENGTH } from "../../shared/domain/rejections.js";
import { anyDetailArbitrary } from "../support/arbitraries.js";

const documents = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESClient);

const lambdaContext = {
  functionName: "fuzz",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Handler = (event: unknown, context: Context) => Promise<{ status: string; reason?: string }>;
const handlers = new Map<string, Handler>();

beforeAll(async () => {
  vi.stubEnv("TABLE_NAME", "kp-test");
  vi.stubEnv("EVENT_BUS_NAME", "khartoum-process");
  vi.stubEnv("REMINDER_OFFSETS", "P14D,P2D");
  vi.stubEnv("SES_MAX_SEND_RATE", "14");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  for (const { detailType } of CONTRACT_EVENTS) {
    const module = (await import(`../../functions/${kebabDetailType(detailType)}/handler.ts`)) as {
      handler: Handler;
    };
    handlers.set(detailType, module.handler);
  }
});

beforeEach(() => {
  documents.reset();
  eventBridge.reset();
  ses.reset();
  documents.on(PutCommand).resolves({});
  documents.on(GetCommand).resolves({});
});

function envelope(detailType: string, detail: unknown) {
  return {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": detailType,
    source: SOURCE,
    account: "123456789012",
    time: "2026-03-16T09:00:00Z",
    region: "eu-central-1",
    resources: [],
    detail,
  };
}

/** The size DynamoDB counts for an item: names and values, in UTF-8 (strings dominate here). */
function itemBytes(item: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(marshall(item)), "utf8");
}

describe.each(CONTRACT_EVENTS.map((event) => event.detailType))(
  "the %s handler with any JSON as its detail",
  (detailType) => {
    it("records it as rejected with a bounded reason and the event as text within DynamoDB's item limit; never throws, sends or publishes", async () => {
      await fc.assert(
        fc.asyncProperty(
          anyDetailArbitrary(detailType).filter(
            // A detail the contract accepts is not bad input (generated JSON almost never is).
            (detail) =>
              !CONTRACT_EVENTS.find((event) => event.detailType === detailType)?.schema.safeParse(
                detail,
              ).success,
          ),
          async (detail) => {
            // Prepare
            documents.resetHistory();
            const handler = handlers.get(detailType) as Handler;

            // Act
            const outcome = await handler(envelope(detailType, detail), lambdaContext);

            // Assess
            expect(outcome.status).toBe("rejected");
            expect(outcome.reason?.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
            const puts = documents.commandCalls(PutCommand);
            expect(puts).toHaveLength(1);
            const item = puts[0]?.args[0].input.Item as Record<string, unknown>;
            expect(typeof item.event).toBe("string");
            expect(item.reason).toBe(outcome.reason);
            expect(itemBytes(item)).toBeLessThan(400_000);
            expect(eventBridge.calls()).toHaveLength(0);
            expect(ses.calls()).toHaveLength(0);
          },
        ),
        { numRuns: 60 },
      );
    });
  },
);
