import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import type { LocalFunction, LocalSystem } from "../../local/cloud-assembly.js";
import { DeadLetterQueues } from "../../local/dead-letters.js";
import { type BatchReport, EventSourcePollers } from "../../local/event-source-mapping.js";
import { InvocationJournal } from "../../local/invocation-journal.js";
import type { InvocationResult, LambdaService } from "../../local/lambda-service.js";

const QUEUE_ARN = "arn:aws:sqs:eu-central-1:000000000000:KpStateless-SesEvents";
const DLQ_ARN = "arn:aws:sqs:eu-central-1:000000000000:KpStateless-SesEventsDeadLetters";
const RECORDER = {
  name: "record-delivery",
  arn: "arn:aws:lambda:eu-central-1:000000000000:function:KpStateless-recorddelivery",
} as LocalFunction;

type Answer = (event: SQSEvent) => InvocationResult;
const ok = (result: unknown): InvocationResult => ({
  ok: true,
  result,
  durationMs: 1,
  requestId: "r",
});

function prepare(answer: Answer, mapping: { batchSize?: number; batchingWindowMs?: number } = {}) {
  const directory = mkdtempSync(join(tmpdir(), "kp-esm-"));
  const system = {
    queues: [
      {
        logicalId: "SesEvents",
        queueName: "KpStateless-SesEvents",
        arn: QUEUE_ARN,
        redrive: { deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 3 },
      },
      {
        logicalId: "SesEventsDeadLetters",
        queueName: "KpStateless-SesEventsDeadLetters",
        arn: DLQ_ARN,
      },
    ],
    functions: [RECORDER],
    eventSourceMappings: [
      {
        queueArn: QUEUE_ARN,
        functionArn: RECORDER.arn,
        batchSize: mapping.batchSize ?? 100,
        batchingWindowMs: mapping.batchingWindowMs ?? 20,
        reportBatchItemFailures: true,
        enabled: true,
      },
    ],
  } as unknown as LocalSystem;
  const batches: SQSEvent[] = [];
  const lambda = {
    invoke: async (_fn: LocalFunction, event: SQSEvent) => {
      batches.push(event);
      return answer(event);
    },
  } as unknown as LambdaService;
  const journal = new InvocationJournal(join(directory, "queue"));
  const deadLetters = new DeadLetterQueues(join(directory, "dead-letters"), system.queues);
  const underWay: Promise<void>[] = [];
  const reports: BatchReport[] = [];
  const pollers = new EventSourcePollers(system, {
    lambda,
    deadLetters,
    journal,
    retryDelaysMs: [5],
    track: (done) => underWay.push(done),
    onVisible: () => undefined,
    onBatch: (report) => reports.push(report),
    onDeadLetter: () => undefined,
    isStopped: () => false,
  });
  let sent = 0;
  const send = (count: number) => {
    for (let index = 0; index < count; index += 1) {
      sent += 1;
      pollers.send({
        id: `message-${sent}`,
        rule: "record-delivery-rule",
        targetArn: QUEUE_ARN,
        event: { id: `event-${sent}` },
        payload: { id: `event-${sent}` },
        attempts: 0,
        dueAt: Date.now(),
        queuedAt: Date.now(),
      });
    }
  };
  const settled = async () => {
    for (let seen = 0; seen < underWay.length; seen = underWay.length) {
      await Promise.all(underWay.slice(seen));
    }
  };
  return { pollers, batches, journal, deadLetters, reports, send, settled };
}

const idsOf = (event: SQSEvent | undefined) => event?.Records.map((record) => record.messageId);

describe("the local event source mapping of an SQS queue", () => {
  it("hands a full batch over at once, and the rest when the window ends (or on flush)", async () => {
    const { pollers, batches, journal, send, settled } = prepare(
      () => ok({ batchItemFailures: [] }),
      { batchingWindowMs: 60_000 },
    );
    send(250);
    expect(batches.map((batch) => batch.Records.length)).toEqual([100, 100]);
    expect(pollers.waiting()).toBe(50);
    pollers.flush();
    await settled();

    expect(batches.map((batch) => batch.Records.length)).toEqual([100, 100, 50]);
    expect(JSON.parse(batches[0]?.Records[0]?.body ?? "{}")).toEqual({ id: "event-1" });
    expect(batches[0]?.Records[0]?.eventSourceARN).toBe(QUEUE_ARN);
    expect(journal.size()).toBe(0);
  });

  it("gathers what arrives within the batching window into one batch", async () => {
    const { batches, send, settled } = prepare(() => ok({ batchItemFailures: [] }));
    send(3);
    expect(batches).toHaveLength(0);
    await settled();
    expect(batches.map(idsOf)).toEqual([["message-1", "message-2", "message-3"]]);
  });

  it("deletes what succeeded and receives again only the records the function reported", async () => {
    const { pollers, batches, journal, reports, send, settled } = prepare((event) =>
      ok({
        batchItemFailures: event.Records.filter(
          (record) =>
            record.messageId === "message-2" && record.attributes.ApproximateReceiveCount === "1",
        ).map((record) => ({ itemIdentifier: record.messageId })),
      }),
    );
    send(3);
    pollers.flush();
    await settled();

    expect(batches.map(idsOf)).toEqual([["message-1", "message-2", "message-3"], ["message-2"]]);
    expect(batches[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe("2");
    expect(reports.map((report) => report.failed)).toEqual([1, 0]);
    expect(journal.size()).toBe(0);
  });

  it("moves a message received maxReceiveCount times to the dead-letter queue", async () => {
    const { pollers, batches, journal, deadLetters, send, settled } = prepare(() => ({
      ok: false,
      error: { errorType: "Error", errorMessage: "DynamoDB is down" },
      durationMs: 1,
      requestId: "r",
    }));
    send(1);
    pollers.flush();
    await settled();
    const letters = await deadLetters.list();

    expect(batches).toHaveLength(3);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      queueName: "KpStateless-SesEventsDeadLetters",
      attributes: { ApproximateReceiveCount: "3", ErrorMessage: "Error: DynamoDB is down" },
    });
    expect(JSON.parse(letters[0]?.body ?? "{}")).toEqual({ id: "event-1" });
    expect(journal.size()).toBe(0);
  });

  it("fails the whole batch when the response names a record that is not in it", async () => {
    let calls = 0;
    const { pollers, batches, send, settled } = prepare(() => {
      calls += 1;
      return ok({ batchItemFailures: calls === 1 ? [{ itemIdentifier: "not-in-batch" }] : [] });
    });
    send(2);
    pollers.flush();
    await settled();
    expect(batches.map(idsOf)).toEqual([
      ["message-1", "message-2"],
      ["message-1", "message-2"],
    ]);
  });

  it("resumes the messages a stopped runtime left in the journal", async () => {
    const first = prepare(() => ok({ batchItemFailures: [] }));
    first.send(2);
    first.pollers.stop();
    const journalled = first.journal.list();
    expect(journalled.map((message) => message.id)).toEqual(["message-1", "message-2"]);

    const second = prepare(() => ok({ batchItemFailures: [] }));
    for (const message of journalled) second.pollers.resume(message);
    second.pollers.flush();
    await second.settled();
    expect(second.batches.map(idsOf)).toEqual([["message-1", "message-2"]]);
  });
});
