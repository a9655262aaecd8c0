import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoNoticeRepository } from "../shared/adapters/notice-repository.js";
import { SesMailer } from "../shared/adapters/ses-mailer.js";
import { noticeMessageTags } from "../shared/contract/ses-events.js";
import type { Contact } from "../shared/domain/contacts.js";
import {
  deliverNotices,
  type OutgoingEmail,
  tokenBucket,
} from "../shared/domain/deliver-notices.js";
import type { NoticeDefinition } from "../shared/domain/notices.js";
import { createSenderRuntime } from "../shared/platform/sender-runtime.js";
import { memberStates } from "../shared/reference/index.js";

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

/**
 * Every request of `client` answered at once, after the SDK serialized and signed it (the
 * answer skips the network and the parsing of a reply): what is left is the sender's own CPU.
 */
function answeredInProcess(client: DynamoDBClient | SESClient, answer: () => object): void {
  client.middlewareStack.add(
    () => async () => ({ output: { $metadata: {}, ...answer() }, response: {} }),
    { step: "finalizeRequest", priority: "low", name: "benchAnswer" },
  );
}

const DEFINITION: NoticeDefinition = {
  subjectKey: "MEETING#bench-meeting",
  noticeId: "invitation-v0",
  kind: "invitation",
  definedAt: "2026-11-28T00:00:00.000Z",
  recipientCount: 0,
  meeting: {
    meetingId: "bench-meeting",
    kind: "steering-committee-meeting",
    title: "Benchmark Steering Committee Meeting",
    startsAt: "2030-03-15T14:00",
    endsAt: "2030-03-15T18:00",
    timeZone: "Europe/Berlin",
    venue: { city: "Berlin", country: "DE" },
    sequence: 0,
  },
} as NoticeDefinition;

/** The sender's CPU per email (ms), whole and split into its parts. */
export interface SenderCpu {
  /** `deliverNotices` end to end: what a chunk costs per email sent. */
  perEmail: number;
  /** Each part alone, over the same recipients, one after the other (no other work between). */
  compose: number;
  /** The MIME message (SesMailer.rawMessage). */
  mime: number;
  /** SendRawEmail, serialized and signed by the SDK. */
  ses: number;
  /** The outbox's claim and sent UpdateItems, serialized and signed by the SDK. */
  dynamo: number;
}

export const NO_SENDER_CPU: SenderCpu = {
  perEmail: Number.NaN,
  compose: Number.NaN,
  mime: Number.NaN,
  ses: Number.NaN,
  dynamo: Number.NaN,
};

/** "2.71 ms (compose 0.08, MIME 0.15, SES 0.84, DynamoDB 1.29)": the whole, then the parts. */
export function senderCpuText(cpu: SenderCpu): string {
  const ms = (value: number) => value.toFixed(2);
  return `${ms(cpu.perEmail)} ms (compose ${ms(cpu.compose)}, MIME ${ms(cpu.mime)}, SES ${ms(cpu.ses)}, DynamoDB ${ms(cpu.dynamo)})`;
}

/** The CPU (ms) `work` takes per item of `count`. */
async function cpuPer(count: number, work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/**
 * The sender's CPU per email, in this process: `deliverNotices` with the sender's own composer,
 * outbox and mailer for `count` recipients (the benchmark's contacts: three languages, every
 * member state's time zone), each AWS request serialized and signed but answered in-process.
 * Then each part alone over the same recipients: composing, the MIME message, the SES request,
 * the two DynamoDB requests (what the whole costs beyond their sum is the delivery's own work,
 * its promises and the garbage collector's). `process.cpuUsage` counts CPU, not waiting, so
 * other work on the machine does not inflate it.
 */
export async function senderCpuPerEmail(count: number): Promise<SenderCpu> {
  const runtime = createSenderRuntime({
    AWS_REGION: "eu-central-1",
    TABLE_NAME: "bench",
    SENDER_NAME: "Khartoum Process Secretariat",
    SENDER_ADDRESS: "secretariat@example.org",
    SES_MAX_SEND_RATE: "0",
    SES_CONFIGURATION_SET: "Notices",
  });
  const dynamo = new DynamoDBClient({ region: "eu-central-1", credentials: CREDENTIALS });
  // The document client's own unmarshalling is part of the answer skipped: answer plain items.
  answeredInProcess(dynamo, () => ({
    Item: { pk: DEFINITION.subjectKey, sk: "NOTICEDEF#x", ...DEFINITION },
  }));
  const ses = new SESClient({ region: "eu-central-1", credentials: CREDENTIALS });
  answeredInProcess(ses, () => ({ MessageId: `bench-${randomUUID()}` }));
  const contacts = new Map<string, Contact>();
  for (let index = 0; index < count; index += 1) {
    const state = memberStates[index % memberStates.length];
    contacts.set(`bench-${index}`, {
      contactId: `bench-${index}`,
      name: `Delegate ${index}`,
      email: `delegate-${index}@example.org`,
      memberState: state?.code ?? "DE",
      roles: ["focal-point"],
      language: (["en", "fr", "ar"] as const)[index % 3] ?? "en",
      timeZone: state?.timeZone ?? "Europe/Berlin",
      reminders: true,
      updatedAt: "2026-01-01T00:00:00Z",
    } as Contact);
  }
  const context = {
    ...runtime.delivery,
    notices: new DynamoNoticeRepository(DynamoDBDocumentClient.from(dynamo), "bench"),
    contacts: { getMany: async () => contacts },
    meetings: { get: async () => ({ status: "scheduled" as const, sequence: 0 }) },
    mailer: new SesMailer(ses, { name: "Secretariat", address: "secretariat@example.org" }),
    limiter: tokenBucket(0),
    deadline: () => Date.now() + 600_000,
  };
  const due = { subjectKey: DEFINITION.subjectKey, noticeId: DEFINITION.noticeId };
  // A first chunk warms what a warm execution environment has warm (modules, Intl, the JIT).
  await deliverNotices({ ...due, contactIds: [...contacts.keys()].slice(0, 50) }, context);
  let sent = 0;
  const whole = await cpuPer(1, async () => {
    sent = (await deliverNotices({ ...due, contactIds: [...contacts.keys()] }, context)).sent;
  });
  // The parts, as one chunk does them: a fresh definition (composed once per language) and a
  // fresh mailer (its templates built once per language).
  const definition = { ...DEFINITION };
  const recipients = [...contacts.values()];
  const emails: OutgoingEmail[] = [];
  const compose = await cpuPer(count, async () => {
    for (const contact of recipients) emails.push(context.compose(definition, contact));
  });
  const mailer = new SesMailer(ses, { name: "Secretariat", address: "secretariat@example.org" });
  const raws: Buffer[] = [];
  const mime = await cpuPer(count, async () => {
    for (const email of emails) raws.push(await mailer.rawMessage(email));
  });
  const sesCpu = await cpuPer(count, async () => {
    for (const [index, raw] of raws.entries()) {
      await ses.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Tags: noticeMessageTags({ ...due, contactId: recipients[index]?.contactId ?? "" }),
          ConfigurationSetName: "Notices",
        }),
      );
    }
  });
  const dynamoCpu = await cpuPer(count, async () => {
    for (const contact of recipients) {
      const key = { ...due, contactId: contact.contactId };
      const now = new Date();
      await context.notices.claim(key, now, new Date(now.getTime() + 30_000));
      await context.notices.markSent(key, "bench-message", now);
    }
  });
  dynamo.destroy();
  ses.destroy();
  return { perEmail: whole / sent, compose, mime, ses: sesCpu, dynamo: dynamoCpu };
}
