import { type ChildProcess, fork } from "node:child_process";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from "node:http";
import { fileURLToPath } from "node:url";
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { Chaos } from "./chaos.js";
import type { LocalTable } from "./cloud-assembly.js";
import { guarded, listen } from "./listen.js";
import type { WriteUnitMeter } from "./write-units.js";

export interface DynamoDbService {
  /** The endpoint the functions and the CLI see (the front, which stays across restarts). */
  endpoint: string;
  server: Server;
  /** The process running dynalite now (it changes when dynalite is started again). */
  pid(): number | undefined;
  /** How many times dynalite died and was started again. */
  restarts(): number;
  stop(): Promise<void>;
}

const THROTTLED_DATA_PLANE = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
]);

/** DynamoDB's answer to a throttled request (HTTP 400), as the SDK recognises it. */
export function throttledAnswer(operation: string): { status: number; body: string } {
  const [type, message] = THROTTLED_DATA_PLANE.has(operation)
    ? [
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
      ]
    : ["ThrottlingException", "Rate of requests exceeds the allowed throughput."];
  return {
    status: 400,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
  };
}

/**
 * dynalite, with its data on disk so state survives a restart, in a child process (so that no
 * request can crash the runtime) behind a front on the runtime's DynamoDB port: the front
 * counts and (with `kp chaos dynamodb-throttle`) throttles requests, answers 500 for a request
 * the child died on, and starts the child again; what arrives meanwhile waits for it.
 */
export async function startDynamoDb(options: {
  host: string;
  port: number;
  dataDir: string;
  chaos?: Chaos;
  log?: (line: string) => void;
  /** Counts the write units of what is written (the benchmark's). */
  meter?: WriteUnitMeter;
}): Promise<DynamoDbService> {
  const log = options.log ?? (() => undefined);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let started = false;
  let backend: Promise<number>;

  const spawnChild = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const forked = fork(
        fileURLToPath(new URL("./dynamodb-process.mjs", import.meta.url)),
        [JSON.stringify({ path: options.dataDir, host: options.host })],
        { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] },
      );
      child = forked;
      let listening = false;
      forked.on("message", (message: { type?: string; port?: number }) => {
        if (message.type === "listening" && message.port !== undefined) {
          listening = true;
          resolve(message.port);
        }
      });
      forked.once("exit", (code, signal) => {
        if (!listening) reject(new Error(`dynalite exited before listening (${signal ?? code})`));
        // Only a dynalite that ran is started again: one that cannot start fails the start.
        if (stopping || child !== forked || !started) return;
        restarts += 1;
        log(`! DynamoDB (dynalite) exited (${signal ?? `code ${code}`}): starting it again`);
        backend = spawnChild();
        // A start that fails is tried again by the next request's wait, not left unhandled.
        backend.catch((error: unknown) => log(`! DynamoDB did not start again: ${String(error)}`));
      });
    });

  backend = spawnChild();
  await backend;
  started = true;

  const forward = (request: IncomingMessage, body: Buffer, port: number) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>(
      (resolve, reject) => {
        const forwarded = httpRequest(
          {
            host: options.host,
            port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, "content-length": String(body.length) },
            agent,
          },
          (reply) => {
            const chunks: Buffer[] = [];
            reply.on("data", (chunk: Buffer) => chunks.push(chunk));
            reply.on("error", reject);
            reply.on("end", () =>
              resolve({
                status: reply.statusCode ?? 502,
                headers: reply.headers,
                body: Buffer.concat(chunks),
              }),
            );
          },
        );
        forwarded.on("error", reject);
        forwarded.end(body);
      },
    );

  /** GetItem straight to dynalite, signed as the request it accompanies (dynalite checks little). */
  const readDirect = async (
    request: IncomingMessage,
    port: number,
    tableName: string,
    key: Record<string, Record<string, unknown>>,
  ) => {
    const read = {
      headers: { ...request.headers, "x-amz-target": "DynamoDB_20120810.GetItem" },
      method: "POST",
      url: "/",
    } as unknown as IncomingMessage;
    const payload = Buffer.from(
      JSON.stringify({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    read.headers["content-length"] = String(payload.length);
    const answer = await forward(read, payload, port);
    return (
      JSON.parse(answer.body.toString("utf8")) as { Item?: Record<string, Record<string, unknown>> }
    ).Item;
  };

  const server = createServer(
    guarded("DynamoDB", log, async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      if (operation !== "" && options.chaos?.dynamodbThrottles()) {
        const answer = throttledAnswer(operation);
        response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
        response.end(answer.body);
        return;
      }
      let answer: Awaited<ReturnType<typeof forward>>;
      try {
        const port = await backend;
        answer =
          options.meter === undefined
            ? await forward(request, body, port)
            : await options.meter.around(
                operation,
                body,
                (tableName, key) => readDirect(request, port, tableName, key),
                (metered) => forward(request, metered, port),
              );
      } catch (error) {
        // dynalite died on this request (or was restarting): the SDK retries a 500.
        response.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
        response.end(
          JSON.stringify({
            __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
            message: `The local DynamoDB failed on this request: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
        return;
      }
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    }),
  );
  const endpoint = await listen(server, options.host, options.port);
  return {
    endpoint,
    server,
    pid: () => child?.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      agent.destroy();
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        if (running.connected) running.send({ type: "stop" });
        else running.kill("SIGTERM");
        // dynalite closes its data first; a child that does not leave promptly is ended.
        setTimeout(() => running.kill("SIGKILL"), 5000).unref();
      });
    },
  };
}

/** Creates each table of the template that does not exist yet, from the template's definition. */
export async function createTables(
  client: DynamoDBClient,
  tables: LocalTable[],
): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table.tableName,
          BillingMode: "PAY_PER_REQUEST",
          ...(table.definition as Omit<CreateTableCommandInput, "TableName">),
        }),
      );
      created.push(table.tableName);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await reconcileIndexes(client, table);
    }
    await untilActive(client, table.tableName);
  }
  return created;
}

/**
 * dynalite answers CreateTable while the table is still CREATING (it turns ACTIVE a moment
 * later, however short its createTableMs): a write before then fails with
 * ResourceNotFoundException, so the start waits for ACTIVE.
 */
async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (
      Table?.TableStatus === "ACTIVE" &&
      indexes.every((index) => index.IndexStatus === "ACTIVE")
    ) {
      return;
    }
    if (attempt >= 500) throw new Error(`Table ${tableName} is still ${Table?.TableStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A table kept from an earlier start whose indexes differ from the template's is rebuilt with
 * its items (dynalite cannot add or drop an index), as a CloudFormation update would give it.
 */
async function reconcileIndexes(client: DynamoDBClient, table: LocalTable): Promise<void> {
  const { Table: described } = await client.send(
    new DescribeTableCommand({ TableName: table.tableName }),
  );
  const existing = (described?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
  const wanted = ((table.definition.GlobalSecondaryIndexes ?? []) as { IndexName: string }[])
    .map((index) => index.IndexName)
    .sort();
  if (JSON.stringify(existing) === JSON.stringify(wanted)) return;
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  await client.send(new DeleteTableCommand({ TableName: table.tableName }));
  await client.send(
    new CreateTableCommand({
      TableName: table.tableName,
      BillingMode: "PAY_PER_REQUEST",
      ...(table.definition as Omit<CreateTableCommandInput, "TableName">),
    }),
  );
  await untilActive(client, table.tableName);
  for (const item of items) {
    await client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
  }
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}
