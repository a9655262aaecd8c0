import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type SystemStatus, status } from "../../cli/commands/status.js";
import type { Target } from "../../cli/target.js";
import { localSesAccount } from "../../local/ses-simulator.js";

const documents = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const sqs = mockClient(SQSClient);
const cloudWatch = mockClient(CloudWatchClient);

const TOPIC = "arn:aws:sns:eu-central-1:123456789012:KpStateful-staging-OnCallAlarms";
const FAILED_URL = "https://sqs.eu-central-1.amazonaws.com/123456789012/FailedEvents";
const UNDELIVERED_URL = "https://sqs.eu-central-1.amazonaws.com/123456789012/UndeliveredEvents";
const REGION = { region: "eu-central-1" };

function stagingTarget(): Target {
  return {
    kind: "aws",
    eventBusName: "khartoum-process-staging",
    eventBridge: new EventBridgeClient(REGION),
    dynamodb: new DynamoDBClient(REGION),
    tableName: () => "staging-table",
    describe: "AWS, stage staging (bus khartoum-process-staging)",
    stage: "staging",
    outputs: {
      failedEventsQueueUrl: FAILED_URL,
      undeliveredEventsQueueUrl: UNDELIVERED_URL,
      alarmTopicArn: TOPIC,
    },
    clientConfig: REGION,
  };
}

function clients() {
  return {
    ses: new SESv2Client(REGION),
    sqs: new SQSClient(REGION),
    cloudWatch: new CloudWatchClient(REGION),
  };
}

const SUBJECT = "MEETING#som-10-nairobi-2027";

/** The table as the queries see it: 3 rejected today, one open notice of 3 recipients. */
function tableWithOneOpenNotice() {
  documents.on(QueryCommand).resolves({ Items: [] });
  documents
    .on(QueryCommand, { KeyConditionExpression: "pk = :pk AND sk > :since", Select: "COUNT" })
    .resolves({ Count: 3 });
  documents.on(QueryCommand, { ExpressionAttributeValues: { ":open": "OPEN_NOTICES" } }).resolves({
    Items: [
      {
        subjectKey: SUBJECT,
        noticeId: "invitation-v0",
        kind: "invitation",
        definedAt: "2026-11-28T00:00:00.000Z",
        recipientCount: 3,
      },
    ],
  });
  documents
    .on(QueryCommand, {
      ExpressionAttributeValues: { ":pk": SUBJECT, ":prefix": "NOTICECHUNK#invitation-v0#" },
    })
    .resolves({ Items: [{ contactIds: ["de-1", "fr-1", "ke-1"] }] });
  const record = (contactId: string, status: string) => ({
    subjectKey: SUBJECT,
    noticeId: "invitation-v0",
    contactId,
    status,
    updatedAt: "2026-11-28T00:01:00.000Z",
  });
  documents
    .on(QueryCommand, {
      ExpressionAttributeValues: { ":pk": SUBJECT, ":prefix": "NOTICE#invitation-v0#" },
    })
    .resolves({ Items: [record("de-1", "sent"), record("fr-1", "failed")] });
}

describe("kp status in AWS", () => {
  beforeEach(() => {
    documents.reset();
    ses.reset();
    sqs.reset();
    cloudWatch.reset();
    ses.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 150 },
    });
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" },
    });
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  });

  it("reports all well, exit 0, when no queue, alarm or notice needs anyone", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [], Count: 0 });
    const out: string[] = [];

    // Act
    const code = await status(
      stagingTarget,
      { out: (line) => out.push(line), err: () => undefined },
      false,
      clients(),
    );

    // Assess
    expect(code).toBe(0);
    expect(out.join("\n")).toContain(
      "SES            production access; sent 150 in 24 h, 50000 a day, 14/s",
    );
    expect(out.join("\n")).toContain("alarms         none in ALARM");
    expect(out.at(-1)).toBe("All well.");
  });

  it("counts the Chair's notices failed in the last 30 days, not older ones", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [], Count: 0 });
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ":pk": "CHAIR", ":prefix": "NOTICE#" } })
      .resolves({
        Items: [
          {
            subjectKey: "CHAIR",
            noticeId: "handover-a",
            contactId: "de-1",
            status: "failed",
            updatedAt: daysAgo(3),
          },
          {
            subjectKey: "CHAIR",
            noticeId: "handover-a",
            contactId: "fr-1",
            status: "sent",
            updatedAt: daysAgo(3),
          },
          {
            subjectKey: "CHAIR",
            noticeId: "handover-b",
            contactId: "ke-1",
            status: "failed",
            updatedAt: daysAgo(90),
          },
        ],
      });
    const out: string[] = [];

    // Act
    const code = await status(
      stagingTarget,
      { out: (line) => out.push(line), err: () => undefined },
      true,
      clients(),
    );

    // Assess
    expect(code).toBe(1);
    expect((JSON.parse(out[0] ?? "") as SystemStatus).notices).toEqual({
      open: 0,
      pending: 0,
      failed: 1,
    });
  });

  it("counts dead letters, failed and pending notices, today's rejections and the stage's alarms; exit 1", async () => {
    // Prepare
    tableWithOneOpenNotice();
    sqs.on(GetQueueAttributesCommand, { QueueUrl: FAILED_URL }).resolves({
      Attributes: {
        ApproximateNumberOfMessages: "2",
        ApproximateNumberOfMessagesNotVisible: "1",
      },
    });
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [
          {
            AlarmName: "KpStateful-staging-FailedEventsAlarm-ABC",
            StateValue: "ALARM",
            StateReason:
              "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).",
            StateUpdatedTimestamp: new Date("2026-11-28T01:00:00Z"),
          },
        ],
        NextToken: "page-2",
      })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: "KpStateless-staging-sendnoticeserrors-DEF",
            StateValue: "ALARM",
            StateReason: "Threshold Crossed",
            StateUpdatedTimestamp: new Date("2026-11-28T01:05:00Z"),
          },
        ],
      });
    const out: string[] = [];

    // Act
    const code = await status(
      stagingTarget,
      { out: (line) => out.push(line), err: () => undefined },
      true,
      clients(),
    );

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(out[0] ?? "") as SystemStatus;
    expect(report.stage).toBe("staging");
    expect(report.deadLetters).toEqual({
      total: 3,
      queues: [
        { queue: "UndeliveredEvents", messages: 0 },
        { queue: "FailedEvents", messages: 3 },
      ],
    });
    expect(report.rejected.count).toBe(3);
    expect(report.notices).toEqual({ open: 1, pending: 1, failed: 1 });
    expect(report.alarms?.map((alarm) => alarm.name)).toEqual([
      "KpStateful-staging-FailedEventsAlarm-ABC",
      "KpStateless-staging-sendnoticeserrors-DEF",
    ]);
    expect(report.attention).toHaveLength(4);
    // Only this stage's alarms: those whose action is its topic.
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toEqual({
      StateValue: "ALARM",
      ActionPrefix: TOPIC,
    });
    // The rejections are counted, not read out.
    const counted = documents
      .commandCalls(QueryCommand)
      .find((call) => call.args[0].input.Select === "COUNT");
    expect(counted?.args[0].input.ExpressionAttributeValues?.[":pk"]).toBe("REJECTED");
  });

  it("flags an SES account in the sandbox or near its daily quota", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [], Count: 0 });
    ses.on(GetAccountCommand).resolves({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 190 },
    });
    const out: string[] = [];

    // Act
    const code = await status(
      stagingTarget,
      { out: (line) => out.push(line), err: () => undefined },
      true,
      clients(),
    );

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(out[0] ?? "") as SystemStatus;
    expect(report.ses).toEqual({
      productionAccess: false,
      sendingEnabled: true,
      max24HourSend: 200,
      maxSendRate: 1,
      sentLast24Hours: 190,
    });
    expect(report.attention.join("\n")).toMatch(/sandbox/);
    expect(report.attention.join("\n")).toMatch(/sent 190 of its 200 a day/);
  });

  it("says so, and still reports the rest, when SES's account cannot be read", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [], Count: 0 });
    ses.on(GetAccountCommand).rejects(
      Object.assign(new Error("not authorized to perform ses:GetAccount"), {
        name: "AccessDeniedException",
      }),
    );
    const out: string[] = [];

    // Act
    const code = await status(
      stagingTarget,
      { out: (line) => out.push(line), err: () => undefined },
      true,
      clients(),
    );

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(out[0] ?? "") as SystemStatus;
    expect(report.ses).toEqual({
      error: "AccessDeniedException: not authorized to perform ses:GetAccount",
    });
    expect(report.deadLetters.total).toBe(0);
  });
});

describe("the local SES's account (GetAccount of the SES stand-in)", () => {
  it("counts the messages written in the last 24 hours and reports the sender's rate", async () => {
    // Prepare: two messages today, one two days ago.
    const dir = mkdtempSync(join(tmpdir(), "kp-ses-account-"));
    const now = Date.now();
    for (const name of ["a", "b", "old"]) writeFileSync(join(dir, `${name}.eml`), "Subject: x\n");
    writeFileSync(join(dir, "not-a-message.tmp"), "");
    const twoDaysAgo = new Date(now - 2 * 86_400_000);
    utimesSync(join(dir, "old.eml"), twoDaysAgo, twoDaysAgo);

    // Act
    const account = await localSesAccount(dir, 14, now).finally(() =>
      rmSync(dir, { recursive: true }),
    );

    // Assess
    expect(account.SendQuota).toEqual({ Max24HourSend: -1, MaxSendRate: 14, SentLast24Hours: 2 });
    expect(account.ProductionAccessEnabled).toBe(true);
    expect((await localSesAccount(dir, 0, now)).SendQuota.SentLast24Hours).toBe(0);
  });
});
