import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args.js";
import { replayArchive } from "../../cli/commands/replay.js";
import { runKp } from "../../cli/kp.js";
import { archiveName, deadLetterQueueUrls } from "../../cli/resources.js";

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);

const FAILED_URL =
  "https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateful-FailedEventsA1B2";
const UNDELIVERED_URL =
  "https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateful-UndeliveredEventsC3D4";
const ARCHIVE_ARN = "arn:aws:events:eu-central-1:123456789012:archive/KpStateful-BusArchive";
const BUS_ARN = "arn:aws:events:eu-central-1:123456789012:event-bus/khartoum-process";

function event(id: string, detailType: string, detail: unknown, source = "kp.secretariat") {
  return JSON.stringify({
    version: "0",
    id,
    "detail-type": detailType,
    source,
    account: "123456789012",
    time: "2026-11-27T09:15:00Z",
    region: "eu-central-1",
    resources: [],
    detail,
  });
}

/** A message of the UndeliveredEvents queue, as EventBridge writes it. */
function undelivered(id: string, body: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: body,
    Attributes: { SentTimestamp: String(Date.parse("2026-11-28T09:15:00Z")) },
    MessageAttributes: {
      ERROR_CODE: { DataType: "String", StringValue: "RESOURCE_NOT_FOUND" },
      ERROR_MESSAGE: { DataType: "String", StringValue: "Function not found" },
      RULE_ARN: { DataType: "String", StringValue: "arn:aws:events:...:rule/khartoum-process/x" },
      TARGET_ARN: { DataType: "String", StringValue: "arn:aws:lambda:...:function:meeting" },
    },
  };
}

/** A message of the FailedEvents queue, as Lambda writes it. */
function failed(id: string, body: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: body,
    Attributes: { SentTimestamp: String(Date.parse("2026-11-28T10:00:00Z")) },
    MessageAttributes: {
      RequestID: { DataType: "String", StringValue: "3e1f" },
      ErrorCode: { DataType: "String", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "ProvisionedThroughputExceededException" },
    },
  };
}

const MEETING = { meetingId: "som-10-2027", title: "SOM 10" };

async function kp(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runKp([...argv, "--aws", "--region", "eu-central-1"], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The queue holds these messages; each ReceiveMessage hands them out once. */
function queueHolds(url: string, messages: Message[]) {
  sqs
    .on(ReceiveMessageCommand, { QueueUrl: url })
    .resolvesOnce({ Messages: messages })
    .resolves({ Messages: [] });
}

describe("kp dead-letters and kp redrive in AWS (SQS and EventBridge mocked)", () => {
  beforeEach(() => {
    sqs.reset();
    eventBridge.reset();
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
  });
  afterEach(() => {
    delete process.env.KP_FAILED_EVENTS_QUEUE_URL;
    delete process.env.KP_UNDELIVERED_EVENTS_QUEUE_URL;
  });

  it("lists both queues' messages with detail-type, error and time, and takes none", async () => {
    // Prepare
    process.env.KP_FAILED_EVENTS_QUEUE_URL = FAILED_URL;
    process.env.KP_UNDELIVERED_EVENTS_QUEUE_URL = UNDELIVERED_URL;
    queueHolds(FAILED_URL, [failed("m-1", event("e-1", "Meeting Scheduled", MEETING))]);
    queueHolds(UNDELIVERED_URL, [undelivered("m-2", event("e-2", "Contact Removed", {}))]);

    // Act
    const result = await kp("dead-letters", "--json");

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual([
      expect.objectContaining({
        id: "m-2",
        queue: "KpStateful-UndeliveredEventsC3D4",
        sentAt: "2026-11-28T09:15:00.000Z",
        errorCode: "RESOURCE_NOT_FOUND",
        error: "Function not found",
        target: "arn:aws:lambda:...:function:meeting",
        event: expect.objectContaining({ id: "e-2", detailType: "Contact Removed" }),
      }),
      expect.objectContaining({
        id: "m-1",
        queue: "KpStateful-FailedEventsA1B2",
        errorCode: "200",
        error: "ProvisionedThroughputExceededException",
        event: expect.objectContaining({ detailType: "Meeting Scheduled", detail: MEETING }),
      }),
    ]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toMatchObject({
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["SentTimestamp", "DeadLetterQueueSourceArn"],
    });
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    const released = sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .map((call) => call.args[0].input);
    expect(released).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ReceiptHandle: "receipt-m-1", VisibilityTimeout: 0 }),
        expect.objectContaining({ ReceiptHandle: "receipt-m-2", VisibilityTimeout: 0 }),
      ]),
    );
  });

  it("puts each event back as it was and deletes only the messages whose entry PutEvents accepted", async () => {
    // Prepare
    queueHolds(FAILED_URL, [
      failed("m-1", event("e-1", "Meeting Scheduled", MEETING)),
      failed("m-2", event("e-2", "Contact Removed", { contactId: "de-1" })),
      failed("m-3", event("e-3", "Notices Due", { noticeId: "n" }, "kp.workflows")),
      failed("m-4", event("e-4", "Scheduled Event", {}, "aws.events")),
    ]);
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: "new-1" },
        { ErrorCode: "InternalFailure", ErrorMessage: "Internal service error" },
      ],
    });

    // Act
    const result = await kp("redrive", "--queue", FAILED_URL);

    // Assess
    expect(result.code).toBe(1);
    const [put] = eventBridge.commandCalls(PutEventsCommand);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(put?.args[0].input.Entries).toEqual([
      {
        EventBusName: "khartoum-process",
        Source: "kp.secretariat",
        DetailType: "Meeting Scheduled",
        Detail: JSON.stringify(MEETING),
        Time: new Date("2026-11-27T09:15:00Z"),
        Resources: [],
      },
      expect.objectContaining({ DetailType: "Contact Removed" }),
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: FAILED_URL, ReceiptHandle: "receipt-m-1" },
    ]);
    const released = sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .map((call) => call.args[0].input.ReceiptHandle);
    expect(released.sort()).toEqual(["receipt-m-2", "receipt-m-3", "receipt-m-4"]);
    expect(result.out).toContain("Redriven  Meeting Scheduled  event e-1");
    expect(result.out).toContain("Kept  Contact Removed  event e-2");
    expect(result.out).toContain("InternalFailure: Internal service error");
    expect(result.out).toContain("Kept  Notices Due  event e-3");
    expect(result.out).toContain("the reconciler hands");
    expect(result.out).toContain("PutEvents refuses the aws. prefix");
    expect(result.out).toContain("1 redriven");
  });

  it("moves an SES event's letter back to the queue it came from (DeadLetterQueueSourceArn), not to the bus", async () => {
    // Prepare
    const dlq =
      "https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateless-SesEventsDeadLettersE5F6";
    const source = "arn:aws:sqs:eu-central-1:123456789012:KpStateless-SesEventsG7H8";
    const sesEvent = event("e-9", "Email Bounced", { eventType: "Bounce" }, "aws.ses");
    // Received by the dry run and again by the redrive (the dry run made it visible again).
    sqs.on(ReceiveMessageCommand, { QueueUrl: dlq }).resolves({
      Messages: [
        {
          MessageId: "m-9",
          ReceiptHandle: "receipt-m-9",
          Body: sesEvent,
          Attributes: { SentTimestamp: "1795000000000", DeadLetterQueueSourceArn: source },
        },
      ],
    });
    sqs.on(GetQueueUrlCommand).resolves({
      QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateless-SesEventsG7H8",
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-10" });

    // Act
    const dryRun = await kp("redrive", "--queue", dlq, "--dry-run");
    const result = await kp("redrive", "--queue", dlq);

    // Assess
    expect(dryRun.out).toContain("Would move back  Email Bounced  event e-9");
    expect(result.code).toBe(0);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: "KpStateless-SesEventsG7H8",
      QueueOwnerAWSAccountId: "123456789012",
    });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateless-SesEventsG7H8",
        MessageBody: sesEvent,
      },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: dlq, ReceiptHandle: "receipt-m-9" },
    ]);
    expect(result.out).toContain("Moved back  Email Bounced  event e-9");
    expect(result.out).toContain("→ KpStateless-SesEventsG7H8");
  });

  it("deletes nothing and makes the message visible again when PutEvents itself fails", async () => {
    // Prepare
    queueHolds(FAILED_URL, [failed("m-1", event("e-1", "Meeting Scheduled", MEETING))]);
    eventBridge.on(PutEventsCommand).rejects(
      new EventBridgeServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: {},
        message: "not authorized to perform events:PutEvents",
      }),
    );

    // Act
    const result = await kp("redrive", "--queue", FAILED_URL);

    // Assess
    expect(result.code).toBe(1);
    expect(result.out).toContain("PutEvents failed: AccessDeniedException");
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toMatchObject({
      ReceiptHandle: "receipt-m-1",
      VisibilityTimeout: 0,
    });
  });

  it("puts nothing and deletes nothing on a dry run", async () => {
    // Prepare
    queueHolds(FAILED_URL, [failed("m-1", event("e-1", "Meeting Scheduled", MEETING))]);

    // Act
    const result = await kp("redrive", "--queue", FAILED_URL, "--dry-run");

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain("Would redrive  Meeting Scheduled  event e-1");
    expect(result.out).toContain("nothing was put or deleted");
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  });

  it("redrives only the letters of the detail-type asked for, and releases the others untouched", async () => {
    // Prepare
    queueHolds(FAILED_URL, [
      failed("m-1", event("e-1", "Meeting Scheduled", MEETING)),
      failed("m-2", event("e-2", "Contact Removed", { contactId: "de-1" })),
    ]);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "n" }] });

    // Act
    const result = await kp("redrive", "--queue", FAILED_URL, "--detail-type", "contact-removed");

    // Assess
    expect(result.code).toBe(0);
    const entries = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries;
    expect(entries?.map((entry) => entry.DetailType)).toEqual(["Contact Removed"]);
    expect(sqs.commandCalls(DeleteMessageCommand)[0]?.args[0].input.ReceiptHandle).toBe(
      "receipt-m-2",
    );
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.ReceiptHandle).toBe(
      "receipt-m-1",
    );
  });

  it("deletes only the letters named (--delete --detail-type), and refuses to delete unnamed ones", async () => {
    // Prepare
    queueHolds(FAILED_URL, [
      failed("m-1", event("e-1", "Meeting Scheduled", MEETING)),
      failed("m-3", event("e-3", "Notices Due", { noticeId: "n" }, "kp.workflows")),
    ]);

    // Act
    const unnamed = await kp("dead-letters", "--queue", FAILED_URL, "--delete");
    const deleted = await kp(
      "dead-letters",
      "--queue",
      FAILED_URL,
      "--delete",
      "--detail-type",
      "notices-due",
    );

    // Assess
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toContain("it deletes only what you name");
    expect(deleted.code).toBe(0);
    expect(deleted.out).toContain("1 dead letter(s) deleted");
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: FAILED_URL, ReceiptHandle: "receipt-m-3" },
    ]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.ReceiptHandle).toBe(
      "receipt-m-1",
    );
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("asks for the queues when neither --queue nor the environment names them", async () => {
    const result = await kp("redrive");

    expect(result.code).toBe(2);
    expect(result.err).toContain("KP_FAILED_EVENTS_QUEUE_URL");
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});

describe("kp replay in AWS (EventBridge mocked)", () => {
  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(DescribeArchiveCommand).resolves({
      ArchiveName: "KpStateful-BusArchive",
      ArchiveArn: ARCHIVE_ARN,
      EventSourceArn: BUS_ARN,
    });
    eventBridge.on(StartReplayCommand).resolves({ State: "STARTING" });
  });

  it("starts a replay of the window onto the archive's bus and waits until it completed", async () => {
    // Prepare
    eventBridge
      .on(DescribeReplayCommand)
      .resolves({ State: "COMPLETED", StateReason: "Replay completed" });

    // Act
    const result = await kp(
      "replay",
      "--from",
      "2026-11-27",
      "--to",
      "2026-11-28",
      "--archive",
      "KpStateful-BusArchive",
    );

    // Assess
    expect(result).toMatchObject({ code: 0, err: "" });
    const input = eventBridge.commandCalls(StartReplayCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      EventSourceArn: ARCHIVE_ARN,
      Destination: { Arn: BUS_ARN },
      EventStartTime: new Date("2026-11-27T00:00:00Z"),
      EventEndTime: new Date("2026-11-28T00:00:00Z"),
    });
    expect(input?.ReplayName).toMatch(/^kp-20261127T000000Z-20261128T000000Z-[0-9a-f]{6}$/);
    expect(eventBridge.commandCalls(DescribeReplayCommand)[0]?.args[0].input).toEqual({
      ReplayName: input?.ReplayName,
    });
    expect(result.out).toContain("COMPLETED");
  });

  it("warns that the last 10 minutes may not be in the archive yet, and replays all the same", async () => {
    // Prepare
    eventBridge.on(DescribeReplayCommand).resolves({ State: "COMPLETED" });
    const now = new Date();

    // Act
    const result = await kp(
      "replay",
      "--from",
      new Date(now.getTime() - 3_600_000).toISOString(),
      "--to",
      now.toISOString(),
      "--archive",
      "KpStateful-BusArchive",
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.err).toContain("up to 10 minutes after it was put");
    expect(eventBridge.commandCalls(StartReplayCommand)).toHaveLength(1);
  });

  it("polls DescribeReplay until the replay ends, telling each change of state", async () => {
    // Prepare
    eventBridge
      .on(DescribeReplayCommand)
      .resolvesOnce({ State: "RUNNING" })
      .resolvesOnce({ State: "RUNNING" })
      .resolves({ State: "FAILED", StateReason: "Destination bus deleted" });
    const states: string[] = [];

    // Act
    const result = await replayArchive(
      new EventBridgeClient({ region: "eu-central-1" }),
      { archiveName: "KpStateful-BusArchive", from: new Date(0), to: new Date(1000) },
      { wait: true, pollMs: 0, onState: (replay) => states.push(replay.State ?? "") },
    );

    // Assess
    expect(result.state).toBe("FAILED");
    expect(eventBridge.commandCalls(DescribeReplayCommand)).toHaveLength(3);
    expect(states).toEqual(["RUNNING", "FAILED"]);
  });

  it("does not wait with --no-wait, and says why a replay could not start", async () => {
    // Act
    const started = await kp(
      "replay",
      "--from",
      "2026-11-27T08:00Z",
      "--to",
      "2026-11-27T11:00+02:00",
      "--archive",
      "KpStateful-BusArchive",
      "--no-wait",
    );
    eventBridge.on(StartReplayCommand).rejects(
      new EventBridgeServiceException({
        name: "ResourceNotFoundException",
        $fault: "client",
        $metadata: {},
        message: "Archive KpStateful-BusArchive does not exist.",
      }),
    );
    const refused = await kp(
      "replay",
      "--from",
      "2026-11-27",
      "--to",
      "2026-11-28",
      "--archive",
      "KpStateful-BusArchive",
    );
    const unnamed = await kp("replay", "--from", "2026-11-27", "--to", "2026-11-28");

    // Assess
    expect(started.code).toBe(0);
    expect(started.out).toContain("aws events describe-replay --replay-name kp-");
    expect(eventBridge.commandCalls(DescribeReplayCommand)).toHaveLength(0);
    expect(eventBridge.commandCalls(StartReplayCommand)[0]?.args[0].input.EventEndTime).toEqual(
      new Date("2026-11-27T09:00:00Z"),
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      "ResourceNotFoundException: Archive KpStateful-BusArchive does not exist.",
    );
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toContain("KP_ARCHIVE_NAME");
  });
});

describe("where the operations commands find the queues and the archive in AWS", () => {
  const outputs = {
    failedEventsQueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/KpStateful-staging-Failed",
    undeliveredEventsQueueUrl:
      "https://sqs.eu-west-1.amazonaws.com/1/KpStateful-staging-Undelivered",
    archiveName: "KpStatefulstagingArchive",
  };

  it("takes the stage's stack outputs when no option or variable names them", () => {
    const saved = { ...process.env };
    delete process.env.KP_FAILED_EVENTS_QUEUE_URL;
    delete process.env.KP_UNDELIVERED_EVENTS_QUEUE_URL;
    delete process.env.KP_ARCHIVE_NAME;
    try {
      expect(deadLetterQueueUrls(parseArgs(["dead-letters"]), outputs)).toEqual([
        outputs.failedEventsQueueUrl,
        outputs.undeliveredEventsQueueUrl,
      ]);
      expect(archiveName(parseArgs(["replay"]), { aws: true }, outputs)).toBe(outputs.archiveName);
      // An explicit option still wins over the outputs.
      expect(
        deadLetterQueueUrls(parseArgs(["dead-letters", "--queue", "https://q/1"]), outputs),
      ).toEqual(["https://q/1"]);
      expect(archiveName(parseArgs(["replay", "--archive", "Other"]), { aws: true }, outputs)).toBe(
        "Other",
      );
      expect(() => deadLetterQueueUrls(parseArgs(["dead-letters"]), {})).toThrow(/--queue/);
    } finally {
      process.env = saved;
    }
  });
});
