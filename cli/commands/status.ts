import { join } from "node:path";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from "@aws-sdk/client-cloudwatch";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DeadLetterQueues } from "../../local/dead-letters.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { deadLetterCounts, sesAccount } from "../../shared/adapters/system-health.js";
import { CHAIR_SUBJECT } from "../../shared/domain/chair.js";
import type { QueueCount, SesAccountState } from "../../shared/domain/health.js";
import { meetingSubject } from "../../shared/domain/meetings.js";
import type { NoticeRecord } from "../../shared/domain/notices.js";
import type { Target } from "../target.js";
import { type Io, stateRepositories } from "./shared.js";

/** The system's health at a glance (`kp status`); `attention` lists what someone should look at. */
export interface SystemStatus {
  target: string;
  kind: "local" | "aws";
  stage: string;
  /** The time the figures are for (the local runtime's clock locally). */
  now: string;
  deadLetters: { total: number; queues: QueueCount[] };
  rejected: { since: string; count: number };
  notices: {
    /** Notices not yet settled for every recipient (the reconciler's OPEN_NOTICES list). */
    open: number;
    /** Recipients of those notices without a final record yet (sending, or not yet claimed). */
    pending: number;
    /** Recipients recorded `failed`, in open notices and in meetings not yet over. */
    failed: number;
  };
  ses: SesAccountState;
  /** Alarms in ALARM (AWS only: null locally, where nothing raises alarms). */
  alarms: { name: string; reason: string; since: string }[] | null;
  attention: string[];
}

/** The AWS clients status reads besides the target's own; tests pass mocked ones. */
export interface StatusClients {
  ses: SESv2Client;
  sqs: SQSClient;
  cloudWatch: CloudWatchClient;
}

const DAY_MS = 86_400_000;
/** The share of SES's daily quota past which `kp status` asks for attention. */
const QUOTA_WARNING = 0.8;

function clientsFor(resolved: Target): StatusClients {
  const config = resolved.clientConfig;
  return {
    ses: new SESv2Client({
      ...config,
      ...(resolved.sesEndpointUrl === undefined ? {} : { endpoint: resolved.sesEndpointUrl }),
    }),
    sqs: new SQSClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
}

/** The local runtime's clock (`kp clock` moves it), or the real one in AWS. */
async function nowOf(resolved: Target): Promise<Date> {
  if (resolved.kind === "aws" || resolved.eventBridgeEndpointUrl === undefined) return new Date();
  const response = await fetch(`${resolved.eventBridgeEndpointUrl}/_kp/clock`);
  const { now } = (await response.json()) as { now?: string };
  return now === undefined ? new Date() : new Date(now);
}

async function deadLetters(resolved: Target, sqs: SQSClient): Promise<SystemStatus["deadLetters"]> {
  let queues: QueueCount[] = [];
  if (resolved.kind === "local") {
    const letters = await new DeadLetterQueues(
      join(resolved.localDir ?? ".kp-local", "dead-letters"),
      [],
    ).list();
    for (const letter of letters) {
      const queue = queues.find((candidate) => candidate.queue === letter.queueName);
      if (queue === undefined) queues.push({ queue: letter.queueName, messages: 1 });
      else queue.messages += 1;
    }
  } else {
    const urls = [
      { queue: "UndeliveredEvents", url: resolved.outputs.undeliveredEventsQueueUrl },
      { queue: "FailedEvents", url: resolved.outputs.failedEventsQueueUrl },
      { queue: "SesEventsDeadLetters", url: resolved.outputs.sesEventsDeadLettersQueueUrl },
    ];
    queues = await deadLetterCounts(
      sqs,
      urls.flatMap(({ queue, url }) => (url === undefined ? [] : [{ queue, url }])),
    );
  }
  return { total: queues.reduce((sum, queue) => sum + queue.messages, 0), queues };
}

/** How far back a failed notice of the Chair still counts in `kp status`. */
const CHAIR_FAILURES_DAYS = 30;

/**
 * Open notices and their unsettled recipients, from the reconciler's OPEN_NOTICES list; failed
 * records from those notices, from each meeting not yet over (its partition) and from the Chair's
 * notices of the last 30 days: queries only.
 */
async function notices(resolved: Target, now: Date): Promise<SystemStatus["notices"]> {
  const repositories = stateRepositories(resolved);
  const failed = new Set<string>();
  const keyOf = (record: NoticeRecord) =>
    `${record.subjectKey}#${record.noticeId}#${record.contactId}`;
  const open = await repositories.notices.listOpen(new Date(now.getTime() + 365 * DAY_MS));
  let pending = 0;
  for (const definition of open) {
    const [chunks, records] = await Promise.all([
      repositories.notices.recipientChunks(definition.subjectKey, definition.noticeId),
      repositories.notices.noticeRecords(definition.subjectKey, definition.noticeId),
    ]);
    const settled = new Set(
      records.filter((record) => record.status !== "sending").map((record) => record.contactId),
    );
    const recipients = new Set(chunks.flat());
    pending +=
      recipients.size === 0
        ? definition.recipientCount
        : [...recipients].filter((contactId) => !settled.has(contactId)).length;
    for (const record of records) if (record.status === "failed") failed.add(keyOf(record));
  }
  const yesterday = new Date(now.getTime() - DAY_MS).toISOString().slice(0, 10);
  const current = (await repositories.meetings.list()).filter(
    (meeting) => meeting.endsAt.slice(0, 10) >= yesterday,
  );
  for (const meeting of current) {
    const records = await repositories.notices.listRecords(meetingSubject(meeting.meetingId));
    for (const record of records) if (record.status === "failed") failed.add(keyOf(record));
  }
  // The Chair's notices (designation, handover) belong to no meeting: those failed this month.
  const monthAgo = new Date(now.getTime() - CHAIR_FAILURES_DAYS * DAY_MS).toISOString();
  for (const record of await repositories.notices.listRecords(CHAIR_SUBJECT)) {
    if (record.status === "failed" && String(record.updatedAt ?? "") >= monthAgo) {
      failed.add(keyOf(record));
    }
  }
  return { open: open.length, pending, failed: failed.size };
}

/** Alarms in ALARM whose action is the stage's alarm topic: this stage's, no other's. */
async function alarms(
  resolved: Target,
  cloudWatch: CloudWatchClient,
): Promise<SystemStatus["alarms"]> {
  if (resolved.kind === "local") return null;
  const topic = resolved.outputs.alarmTopicArn;
  if (topic === undefined) return null;
  const found: { name: string; reason: string; since: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page: DescribeAlarmsCommandOutput = await cloudWatch.send(
      new DescribeAlarmsCommand({ StateValue: "ALARM", ActionPrefix: topic, NextToken: nextToken }),
    );
    for (const alarm of page.MetricAlarms ?? []) {
      found.push({
        name: alarm.AlarmName ?? "",
        reason: alarm.StateReason ?? "",
        since: alarm.StateUpdatedTimestamp?.toISOString() ?? "",
      });
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return found;
}

/** What needs someone: each line says what and where to look. */
function attentionOf(status: Omit<SystemStatus, "attention">): string[] {
  const attention: string[] = [];
  if (status.deadLetters.total > 0) {
    attention.push(
      `${status.deadLetters.total} dead letter(s) waiting: ${status.deadLetters.queues
        .filter((queue) => queue.messages > 0)
        .map((queue) => `${queue.queue} ${queue.messages}`)
        .join(", ")} (kp dead-letters; README, Operations > Runbook)`,
    );
  }
  if (status.alarms === null && status.kind === "aws") {
    attention.push("alarms not read: the stage's AlarmTopicArn output is unknown (kp --stage?)");
  }
  for (const alarm of status.alarms ?? []) {
    attention.push(`alarm ${alarm.name} in ALARM since ${alarm.since}: ${alarm.reason}`);
  }
  if (status.notices.failed > 0) {
    attention.push(
      `${status.notices.failed} notice(s) failed for recipients of current meetings (kp meetings show <meetingId>)`,
    );
  }
  const ses = status.ses;
  if ("error" in ses) attention.push(`SES account not read: ${ses.error}`);
  else {
    if (!ses.productionAccess) {
      attention.push(
        "SES is in the sandbox: it sends only to verified addresses, 200 a day (README, Operations: request production access)",
      );
    }
    if (!ses.sendingEnabled) attention.push("SES sending is disabled for the account");
    if (ses.max24HourSend > 0 && ses.sentLast24Hours >= QUOTA_WARNING * ses.max24HourSend) {
      attention.push(
        `SES sent ${ses.sentLast24Hours} of its ${ses.max24HourSend} a day: a large fan-out now would be held back`,
      );
    }
  }
  return attention;
}

export async function systemStatus(
  resolved: Target,
  clients: StatusClients = clientsFor(resolved),
): Promise<SystemStatus> {
  const now = await nowOf(resolved);
  const since = new Date(now.getTime() - DAY_MS);
  const rejections = new DynamoRejectionRepository(
    createDocumentClient(resolved.dynamodb),
    resolved.tableName(),
  );
  const [letters, rejectedCount, noticeCounts, ses, inAlarm] = await Promise.all([
    deadLetters(resolved, clients.sqs),
    rejections.countSince(since),
    notices(resolved, now),
    sesAccount(clients.ses),
    alarms(resolved, clients.cloudWatch),
  ]);
  const status = {
    target: resolved.describe,
    kind: resolved.kind,
    stage: resolved.stage,
    now: now.toISOString(),
    deadLetters: letters,
    rejected: { since: since.toISOString(), count: rejectedCount },
    notices: noticeCounts,
    ses,
    alarms: inAlarm,
  };
  return { ...status, attention: attentionOf(status) };
}

function sesLine(ses: SystemStatus["ses"]): string {
  if ("error" in ses) return `SES            not read (${ses.error})`;
  const daily = ses.max24HourSend < 0 ? "no daily limit" : `${ses.max24HourSend} a day`;
  const rate = ses.maxSendRate > 0 ? `${ses.maxSendRate}/s` : "no rate limit";
  const access = ses.productionAccess ? "production access" : "SANDBOX";
  return `SES            ${access}; sent ${ses.sentLast24Hours} in 24 h, ${daily}, ${rate}`;
}

/**
 * `kp status`: exit 0 when nothing needs attention, 1 when something does (dead letters,
 * alarms, failed notices, SES in the sandbox, disabled or near its daily quota), so a script
 * or a cron job can act on it. Rejected events and pending notices are shown, not flagged: both
 * are the system working (a refused event kept with its reason; a fan-out under way).
 */
export async function status(
  target: () => Target,
  io: Io,
  json: boolean,
  clients?: StatusClients,
): Promise<number> {
  const resolved = target();
  const own = clients === undefined ? clientsFor(resolved) : undefined;
  try {
    const report = await systemStatus(resolved, clients ?? own);
    if (json) io.out(JSON.stringify(report));
    else {
      io.out(`${report.target}, stage ${report.stage}, at ${report.now}`);
      io.out(
        `dead letters   ${report.deadLetters.total}${report.deadLetters.queues.length > 0 ? ` (${report.deadLetters.queues.map((queue) => `${queue.queue} ${queue.messages}`).join(", ")})` : ""}`,
      );
      io.out(`rejected       ${report.rejected.count} in the last 24 h (kp rejected)`);
      io.out(
        `notices        ${report.notices.open} open, ${report.notices.pending} recipient(s) pending, ${report.notices.failed} failed`,
      );
      io.out(sesLine(report.ses));
      if (report.alarms !== null) {
        io.out(
          `alarms         ${report.alarms.length === 0 ? "none in ALARM" : report.alarms.map((alarm) => alarm.name).join(", ")}`,
        );
      }
      io.out(report.attention.length === 0 ? "All well." : "Needs attention:");
      for (const line of report.attention) io.out(`  - ${line}`);
    }
    return report.attention.length === 0 ? 0 : 1;
  } finally {
    own?.ses.destroy();
    own?.sqs.destroy();
    own?.cloudWatch.destroy();
  }
}
