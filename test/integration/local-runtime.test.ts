import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../local/runtime.js";
import { PROJECT_DIR } from "../support/local-stack.js";

const FIXTURE = resolve(import.meta.dirname, "..", "fixtures", "flaky-app");

function entry(mode: string): PutEventsRequestEntry {
  return {
    EventBusName: "fixture-bus",
    Source: "fixture",
    DetailType: "Test",
    Detail: JSON.stringify({ mode }),
  };
}

describe("the local runtime's EventBridge, Lambda and dead-letter queues", () => {
  let runtime: LocalRuntime;
  let client: EventBridgeClient;
  let dataDir: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "kp-runtime-"));
    runtime = await startLocalRuntime({
      projectDir: PROJECT_DIR,
      dataDir,
      assemblyDir: FIXTURE,
      synthesize: false,
      ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
      retryDelaysMs: [20],
      concurrency: 1,
      log: (line) => logLines.push(line),
    });
    client = new EventBridgeClient({
      endpoint: runtime.description.eventBridgeEndpoint,
      region: "eu-central-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  beforeEach(() => {
    logLines.length = 0;
  });
  afterAll(async () => {
    client.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function put(...entries: PutEventsRequestEntry[]) {
    const response = await client.send(new PutEventsCommand({ Entries: entries }));
    await runtime.idle();
    return response;
  }

  async function deliveriesOf(eventId: string | undefined) {
    const letters = await runtime.deadLetters.list();
    return letters.filter((letter) => JSON.parse(letter.body).id === eventId);
  }

  it("gives each function the template's environment, resolved, and nothing of the host's", async () => {
    const results: unknown[] = [];
    const fn = runtime.system.functions[0];
    if (fn === undefined) throw new Error("the fixture has a function");
    const result = await runtime.lambda.invoke(fn, { id: "direct", detail: { mode: "ok" } });
    if (result.ok) results.push(result.result);

    expect(results[0]).toMatchObject({
      busName: "fixture-bus",
      queueArn: "queue:arn:aws:sqs:eu-central-1:000000000000:Fixture-FailedEvents",
      region: "eu-central-1",
      functionName: "flaky",
      hasHostVariables: false,
    });
  });

  it("answers PutEvents like EventBridge: an id per entry, errors per entry in order", async () => {
    const response = await put(
      entry("ok"),
      { ...entry("ok"), Detail: "[1,2]" },
      { ...entry("ok"), Source: undefined },
    );

    expect(response.FailedEntryCount).toBe(2);
    expect(response.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.Entries?.[1]).toMatchObject({
      ErrorCode: "MalformedDetail",
      ErrorMessage: "Detail is malformed.",
    });
    expect(response.Entries?.[2]).toMatchObject({
      ErrorCode: "InvalidArgument",
      ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
    });
  });

  it("refuses more than ten entries with a ValidationException, as AWS does", async () => {
    const eleven = Array.from({ length: 11 }, () => entry("ok"));

    await expect(client.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must have length less than or equal to 10"),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("answers TestEventPattern, and names an invalid pattern as AWS does", async () => {
    const event = JSON.stringify({
      id: "1",
      account: "000000000000",
      source: "kp.secretariat",
      time: "2023-03-16T09:00:00Z",
      region: "eu-central-1",
      resources: [],
      "detail-type": "Contact Upserted",
      detail: { memberState: "DE" },
    });
    const yes = await client.send(
      new TestEventPatternCommand({
        Event: event,
        EventPattern: JSON.stringify({ detail: { memberState: [{ prefix: "D" }] } }),
      }),
    );
    const no = await client.send(
      new TestEventPatternCommand({
        Event: event,
        EventPattern: JSON.stringify({ source: [{ "anything-but": "kp.secretariat" }] }),
      }),
    );

    expect(yes.Result).toBe(true);
    expect(no.Result).toBe(false);
    await expect(
      client.send(
        new TestEventPatternCommand({
          Event: event,
          EventPattern: JSON.stringify({ source: "kp.secretariat" }),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidEventPatternException" });
  });

  it("retries a failed asynchronous invocation as the function's EventInvokeConfig says", async () => {
    const response = await put(entry("flaky"));
    const eventId = response.Entries?.[0]?.EventId ?? "";

    expect(logLines.filter((line) => line.includes(eventId))).toEqual([
      expect.stringMatching(/^✗ flaky ← Test .* attempt 1: Error: fails the first time$/),
      expect.stringMatching(/^✓ flaky ← Test /),
    ]);
    expect(await deliveriesOf(eventId)).toEqual([]);
  });

  it("sends an event to the function's dead-letter queue once its retries are spent", async () => {
    const response = await put(entry("fail"));
    const eventId = response.Entries?.[0]?.EventId;

    const letters = await deliveriesOf(eventId);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.queueName).toBe("Fixture-FailedEvents");
    expect(letters[0]?.attributes).toMatchObject({
      ErrorCode: "200",
      ErrorMessage: "TypeError: always fails (attempt 2)",
      RequestID: expect.any(String),
    });
  });

  it("ends an invocation at the function's timeout and treats it as a failure", async () => {
    const response = await put(entry("slow"));

    const letters = await deliveriesOf(response.Entries?.[0]?.EventId);
    expect(letters[0]?.attributes.ErrorMessage).toBe(
      "Sandbox.Timedout: Task timed out after 1.00 seconds",
    );
  });

  it("never hands a timed-out execution environment another invocation", async () => {
    const response = await put(entry("slow"), entry("ok"));
    const okId = response.Entries?.[1]?.EventId ?? "";

    expect(logLines.filter((line) => line.includes(okId))).toEqual([
      expect.stringMatching(/^✓ flaky ← Test /),
    ]);
  });

  it("sends an event that cannot be delivered to the rule target's dead-letter queue", async () => {
    const response = await put(entry("lost"));

    const letters = await deliveriesOf(response.Entries?.[0]?.EventId);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.queueName).toBe("Fixture-UndeliveredEvents");
    expect(letters[0]?.attributes.ERROR_CODE).toBe("RESOURCE_NOT_FOUND");
  });

  it("accepts an event for a bus that does not exist and routes it nowhere, as AWS does", async () => {
    const before = runtime.eventBus.deliveries;
    const response = await put({ ...entry("ok"), EventBusName: "no-such-bus" });

    expect(response.FailedEntryCount).toBe(0);
    expect(runtime.eventBus.deliveries).toBe(before);
  });
});
