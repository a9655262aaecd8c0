import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
} from "@aws-sdk/client-dynamodb";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../local/runtime.js";
import { PROJECT_DIR } from "../support/local-stack.js";

const FIXTURE = resolve(import.meta.dirname, "..", "fixtures", "flaky-app");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const REGION = "eu-central-1";

function entry(mode: string): PutEventsRequestEntry {
  return {
    EventBusName: "fixture-bus",
    Source: "fixture",
    DetailType: "Test",
    Detail: JSON.stringify({ mode }),
  };
}

function rawMessage(to: string): Uint8Array {
  return Buffer.from(
    `From: notices@khartoumprocess.net\r\nTo: ${to}\r\nSubject: Rehearsal\r\n\r\nA rehearsal.\r\n`,
  );
}

function startFixture(dataDir: string, retryDelaysMs: number[], log: (line: string) => void) {
  return startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    assemblyDir: FIXTURE,
    synthesize: false,
    ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
    retryDelaysMs,
    concurrency: 1,
    log,
  });
}

describe("the local runtime under faults (kp chaos, a crashing dynalite, kill and restart)", () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  let eventBridge: EventBridgeClient;
  let ses: SESClient;
  let dynamodb: DynamoDBClient;
  const logLines: string[] = [];

  async function chaos(method: "POST" | "DELETE", body?: unknown) {
    const response = await fetch(`${runtime.description.eventBridgeEndpoint}/_kp/chaos`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, answer: (await response.json()) as Record<string, unknown> };
  }

  async function put(...entries: PutEventsRequestEntry[]) {
    const response = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
    await runtime.idle();
    return response.Entries?.map((result) => result.EventId ?? "") ?? [];
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "kp-faults-"));
    runtime = await startFixture(dataDir, [20], (line) => logLines.push(line));
    const endpoints = runtime.description;
    eventBridge = new EventBridgeClient({
      endpoint: endpoints.eventBridgeEndpoint,
      region: REGION,
      credentials,
    });
    ses = new SESClient({
      endpoint: endpoints.sesEndpoint,
      region: REGION,
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 1000, throwOnRequestTimeout: true }),
    });
    dynamodb = new DynamoDBClient({
      endpoint: endpoints.dynamodbEndpoint,
      region: REGION,
      credentials,
      maxAttempts: 1,
    });
  });
  beforeEach(async () => {
    logLines.length = 0;
    await chaos("DELETE");
  });
  afterAll(async () => {
    eventBridge.destroy();
    ses.destroy();
    dynamodb.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes every message SES accepts as <messageId>.eml before it answers", async () => {
    // Act
    const { MessageId } = await ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("claire.dubois@example.fr") } }),
    );

    // Assess
    const file = join(runtime.mailDir, `${MessageId}.eml`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toContain("To: claire.dubois@example.fr");
  });

  it("ses-throttle answers SendRawEmail as SES throttling does, then sends once lifted", async () => {
    // Prepare
    await chaos("POST", { fault: "ses-throttle", rate: 1 });
    const before = readdirSync(runtime.mailDir).length;

    // Act
    const throttled = ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("a@example.org") } }),
    );
    await expect(throttled).rejects.toMatchObject({
      name: "Throttling",
      message: "Maximum sending rate exceeded.",
      $metadata: { httpStatusCode: 400 },
    });
    const { answer } = await chaos("DELETE");
    const sent = await ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("a@example.org") } }),
    );

    // Assess
    expect(answer.lifted).toEqual([{ fault: "ses-throttle", rate: 1, hits: 1 }]);
    expect(sent.MessageId).toEqual(expect.any(String));
    expect(readdirSync(runtime.mailDir)).toHaveLength(before + 1);
  });

  it("ses-fail answers 500 InternalFailure and sends nothing", async () => {
    // Prepare
    await chaos("POST", { fault: "ses-fail", for: "30s" });
    const before = readdirSync(runtime.mailDir).length;

    // Act
    const failed = ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("b@example.org") } }),
    );

    // Assess
    await expect(failed).rejects.toMatchObject({
      name: "InternalFailure",
      $metadata: { httpStatusCode: 500 },
    });
    expect(readdirSync(runtime.mailDir)).toHaveLength(before);
  });

  it("ses-timeout leaves the client without an answer, and --after-send sends the message all the same", async () => {
    // Prepare
    const before = readdirSync(runtime.mailDir).length;
    await chaos("POST", { fault: "ses-timeout" });

    // Act
    const unsent = ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("c@example.org") } }),
    );
    await expect(unsent).rejects.toMatchObject({ name: "TimeoutError" });
    const unsentCount = readdirSync(runtime.mailDir).length;
    await chaos("POST", { fault: "ses-timeout", afterSend: true });
    const ambiguous = ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: rawMessage("c@example.org") } }),
    );

    // Assess
    await expect(ambiguous).rejects.toMatchObject({ name: "TimeoutError" });
    expect(unsentCount).toBe(before);
    expect(readdirSync(runtime.mailDir)).toHaveLength(before + 1);
  });

  it("dynamodb-throttle answers as DynamoDB does: item requests ProvisionedThroughputExceeded, others Throttling", async () => {
    // Prepare
    await chaos("POST", { fault: "dynamodb-throttle", rate: 1, for: "1m" });

    // Act
    const item = dynamodb.send(new GetItemCommand({ TableName: "any", Key: { pk: { S: "x" } } }));
    const listing = dynamodb.send(new ListTablesCommand({}));

    // Assess
    await expect(item).rejects.toMatchObject({
      name: "ProvisionedThroughputExceededException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(listing).rejects.toMatchObject({ name: "ThrottlingException" });
    await chaos("DELETE");
    await expect(dynamodb.send(new ListTablesCommand({}))).resolves.toBeDefined();
  });

  it("crash ends the function's next invocation as Runtime.ExitError, and Lambda's retry runs it", async () => {
    // Prepare
    await chaos("POST", { fault: "crash", function: "flaky", next: 1, after: 0 });

    // Act
    const [eventId = ""] = await put(entry("ok"));

    // Assess
    expect(logLines.filter((line) => line.includes(eventId))).toEqual([
      expect.stringMatching(/attempt 1: Runtime\.ExitError: RequestId: .* signal: killed$/),
      expect.stringMatching(/^✓ flaky ← Test /),
    ]);
  });

  it("timeout gives the function the shortened deadline and ends it there as Sandbox.Timedout", async () => {
    // Prepare
    const fn = runtime.system.functions.find((candidate) => candidate.name === "flaky");
    if (fn === undefined) throw new Error("the fixture has the flaky function");
    await chaos("POST", { fault: "timeout", function: "flaky", next: 2, after: 400 });

    // Act
    const quick = await runtime.lambda.invoke(fn, { id: "quick", detail: { mode: "ok" } });
    const slow = await runtime.lambda.invoke(fn, { id: "slow", detail: { mode: "slow" } });

    // Assess
    expect(quick.ok && (quick.result as { remainingMs: number }).remainingMs).toBeLessThanOrEqual(
      400,
    );
    expect(slow).toMatchObject({
      ok: false,
      error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 0.40 seconds" },
    });
  });

  async function createTable(tableName: string) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
  }

  it("answers DynamoDB again after dynalite's process is killed, with its data", async () => {
    // Prepare
    const tableName = "kept-across-restarts";
    await createTable(tableName);
    const killed = runtime.dynamodb.pid();
    if (killed === undefined) throw new Error("dynalite runs in a process");

    // Act
    process.kill(killed, "SIGKILL");
    const tables = await new DynamoDBClient({
      endpoint: runtime.description.dynamodbEndpoint,
      region: REGION,
      credentials,
    }).send(new ListTablesCommand({}));

    // Assess
    expect(runtime.dynamodb.pid()).not.toBe(killed);
    expect(runtime.dynamodb.restarts()).toBe(1);
    expect(tables.TableNames ?? []).toContain(tableName);
  });

  it("answers SES again on the same port after its process is killed", async () => {
    // Prepare
    const killed = runtime.ses.pid();
    if (killed === undefined) throw new Error("SES runs in a process");

    // Act
    process.kill(killed, "SIGKILL");
    let sent: { MessageId?: string } | undefined;
    // The new process listens within a second or two; until then the port refuses.
    for (let attempt = 0; sent === undefined; attempt += 1) {
      sent = await ses
        .send(new SendRawEmailCommand({ RawMessage: { Data: rawMessage("d@example.org") } }))
        .catch(async (error: unknown) => {
          if (attempt >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
    }

    // Assess
    expect(runtime.ses.pid()).not.toBe(killed);
    expect(runtime.ses.restarts()).toBe(1);
    expect(existsSync(join(runtime.mailDir, `${sent.MessageId}.eml`))).toBe(true);
  });

  it("survives an item nested thousands of levels deep: the endpoint still answers", async () => {
    // Prepare
    const depth = 20_000;
    const nested = `${'{"M":{"a":'.repeat(depth)}{"S":"bottom"}${"}}".repeat(depth)}`;
    const tableName = "deep-items";
    await createTable(tableName);

    // Act
    const response = await fetch(runtime.description.dynamodbEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.PutItem",
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20270101/eu-central-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
        "x-amz-date": "20270101T000000Z",
      },
      body: `{"TableName":"${tableName}","Item":{"pk":{"S":"deep"},"deep":${nested}}}`,
    });
    const tables = await new DynamoDBClient({
      endpoint: runtime.description.dynamodbEndpoint,
      region: REGION,
      credentials,
    }).send(new ListTablesCommand({}));

    // Assess
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(tables.TableNames ?? []).toContain(tableName);
    await expect(put(entry("ok"))).resolves.toHaveLength(1);
  });

  it("answers 500 to a control request it cannot handle, and goes on answering", async () => {
    // Act
    const broken = await fetch(`${runtime.description.eventBridgeEndpoint}/_kp/clock`, {
      method: "POST",
      body: "{not json",
    });
    const health = await fetch(`${runtime.description.eventBridgeEndpoint}/health`);

    // Assess
    expect(broken.status).toBe(500);
    expect(health.status).toBe(200);
  });

  it("resumes an invocation cut short by a stop on the next start, the cut attempt not counted", async () => {
    // Prepare
    const ownDir = mkdtempSync(join(tmpdir(), "kp-resume-"));
    const first = await startFixture(ownDir, [20], () => undefined);
    const client = new EventBridgeClient({
      endpoint: first.description.eventBridgeEndpoint,
      region: REGION,
      credentials,
    });
    const response = await client.send(new PutEventsCommand({ Entries: [entry("slow")] }));
    client.destroy();
    const eventId = response.Entries?.[0]?.EventId ?? "";
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.stop();
    const journalled = first.journal.list().map((invocation) => invocation.attempts);
    const lines: string[] = [];

    // Act
    const second = await startFixture(ownDir, [20], (line) => lines.push(line));
    await second.idle();
    const letters = await second.deadLetters.list();
    const left = second.journal.size();
    await second.stop();
    rmSync(ownDir, { recursive: true, force: true });

    // Assess
    expect(journalled).toEqual([0]);
    expect(lines.filter((line) => line.includes(eventId))).toEqual([
      expect.stringMatching(/attempt 1: Sandbox\.Timedout/),
      expect.stringMatching(/attempt 2: Sandbox\.Timedout/),
    ]);
    expect(letters.filter((letter) => JSON.parse(letter.body).id === eventId)).toHaveLength(1);
    expect(left).toBe(0);
  });
});
