import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from "../../local/runtime.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DEFAULT_EVENT_BUS_NAME, SOURCE } from "../../shared/contract/index.js";
import { ASSEMBLY_DIR } from "../global-setup.js";

export const PROJECT_DIR = resolve(import.meta.dirname, "..", "..");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface LocalStack {
  runtime: LocalRuntime;
  dataDir: string;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** Puts events with the real SDK client over HTTP and waits until the system has handled them. */
  put(...events: { detailType: string; detail: unknown }[]): Promise<string[]>;
  /** Puts PutEvents entries as given (e.g. a file of the fact sheet's examples) and waits. */
  putEntries(entries: PutEventsRequestEntry[]): Promise<PutEventsCommandOutput>;
  /** Moves the local clock forward (POST /_kp/clock), firing the schedules; waits for the work. */
  advanceClock(duration: string): Promise<Date>;
  /** Every item of every table, as DynamoDB returns them. */
  scanEverything(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** The local runtime on free ports with its own state folder, as `npm start` runs it. */
export async function startLocalStack(
  options: Partial<LocalRuntimeOptions> = {},
): Promise<LocalStack> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kp-test-"));
  const runtime = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    assemblyDir: ASSEMBLY_DIR,
    ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
    retryDelaysMs: [50, 100],
    ...options,
  });
  const { description } = runtime;
  const eventBridge = new EventBridgeClient({
    endpoint: description.eventBridgeEndpoint,
    region: description.region,
    credentials,
  });
  const dynamodb = new DynamoDBClient({
    endpoint: description.dynamodbEndpoint,
    region: description.region,
    credentials,
  });
  const tableName = Object.values(description.tables)[0] ?? "";
  return {
    runtime,
    dataDir,
    eventBridge,
    dynamodb,
    documents: createDocumentClient(dynamodb),
    tableName,
    async put(...events) {
      const response = await eventBridge.send(
        new PutEventsCommand({
          Entries: events.map((event) => ({
            EventBusName: DEFAULT_EVENT_BUS_NAME,
            Source: SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      await runtime.idle();
      return (response.Entries ?? []).map((entry) => entry.EventId ?? "");
    },
    async putEntries(entries) {
      const response = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
      await runtime.idle();
      return response;
    },
    async advanceClock(duration) {
      const response = await fetch(`${description.eventBridgeEndpoint}/_kp/clock`, {
        method: "POST",
        body: JSON.stringify({ advance: duration }),
      });
      const answer = (await response.json()) as { now: string };
      await runtime.idle();
      return new Date(answer.now);
    },
    async scanEverything() {
      const items: Record<string, unknown>[] = [];
      for (const name of Object.values(description.tables)) {
        const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: name }));
        items.push(...Items);
      }
      return items;
    },
    async stop() {
      eventBridge.destroy();
      dynamodb.destroy();
      await runtime.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
