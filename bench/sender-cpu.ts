import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoNoticeRepository } from "../shared/adapters/notice-repository.js";
import { SesMailer } from "../shared/adapters/ses-mailer.js";
import type { Contact } from "../shared/domain/contacts.js";
import { deliverNotices, tokenBucket } from "../shared/domain/deliver-notices.js";
import type { NoticeDefinition } from "../shared/domain/notices.js";
import { createSenderRuntime } from "../shared/platform/notice-runtime.js";
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

/**
 * The sender's CPU per email, in this process: `deliverNotices` with the sender's own composer,
 * outbox and mailer for `count` recipients (the benchmark's contacts: three languages, every
 * member state's time zone), each AWS request serialized and signed but answered in-process.
 * `process.cpuUsage` counts CPU, not waiting, so other work on the machine does not inflate it.
 */
export async function senderCpuPerEmail(count: number): Promise<number> {
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
  const before = process.cpuUsage();
  const summary = await deliverNotices({ ...due, contactIds: [...contacts.keys()] }, context);
  const used = process.cpuUsage(before);
  dynamo.destroy();
  ses.destroy();
  return (used.user + used.system) / 1000 / summary.sent;
}
