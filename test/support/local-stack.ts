import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
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
    ports: { eventBridge: 0, ses: 0, dynamodb: 0 },
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
