import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoChairRepository } from "../adapters/chair-repository.js";
import { DynamoMeetingRepository } from "../adapters/meeting-repository.js";
import { EventBridgeNoticePublisher } from "../adapters/notice-publisher.js";
import { DynamoNoticeRepository } from "../adapters/notice-repository.js";
import { DynamoRsvpRepository } from "../adapters/rsvp-repository.js";
import { SecretsManagerSecret } from "../adapters/secret-reader.js";
import { createSesClient, MAX_SEND_MS, SesMailer } from "../adapters/ses-mailer.js";
import type { Contact } from "../domain/contacts.js";
import type { DeliveryContext } from "../domain/deliver-notices.js";
import type { NoticeDefinition } from "../domain/notices.js";
import { durationMs } from "../domain/time.js";
import { calendarTemplates } from "../notices/calendar-template.js";
import {
  type CommonNotice,
  composeCommon,
  personalise,
  type RsvpLinks,
} from "../notices/render.js";
import { MissingConfiguration, requireEnv } from "./config.js";
import { createWorkflowRuntime } from "./workflow-runtime.js";

function numberEnv(name: string, env: NodeJS.ProcessEnv): number {
  const value = Number(requireEnv(name, env));
  if (!Number.isFinite(value) || value < 0) {
    throw new MissingConfiguration(`${name} must be a number ≥ 0, not ${env[name]}`);
  }
  return value;
}

/**
 * How many recipients one "Notices Due" carries: what the sender sends in about two minutes at
 * the account's rate (its timeout is five), at most 500 (the event stays far below 256 KB).
 */
export function chunkSizeFor(maxSendRate: number): number {
  return maxSendRate <= 0 ? 500 : Math.max(10, Math.min(500, Math.floor(maxSendRate * 120)));
}

/** The functions that decide who is notified: meetings, reminders, the Chair. */
export function createNotifyingRuntime(env: NodeJS.ProcessEnv = process.env) {
  const base = createWorkflowRuntime(env);
  const reminderOffsets = requireEnv("REMINDER_OFFSETS", env).split(",").filter(Boolean);
  for (const offset of reminderOffsets) durationMs(offset);
  return {
    ...base,
    meetings: new DynamoMeetingRepository(base.documentClient, base.tableName),
    chair: new DynamoChairRepository(base.documentClient, base.tableName),
    notices: new DynamoNoticeRepository(base.documentClient, base.tableName),
    directory: base.contacts,
    publisher: new EventBridgeNoticePublisher(
      new EventBridgeClient({}),
      requireEnv("EVENT_BUS_NAME", env),
    ),
    chunkSize: chunkSizeFor(numberEnv("SES_MAX_SEND_RATE", env)),
    reminderOffsets,
    rsvps: new DynamoRsvpRepository(base.documentClient, base.tableName),
  };
}

/** The sender: SES at the account's rate, the outbox, the composer. */
/** What a chunk composes once per notice: the common part per language, the calendar template. */
interface ChunkParts {
  common: Map<Contact["language"], CommonNotice>;
  calendars: ReturnType<typeof calendarTemplates>;
}

export function createSenderRuntime(env: NodeJS.ProcessEnv = process.env) {
  const base = createWorkflowRuntime(env);
  const sender = {
    name: requireEnv("SENDER_NAME", env),
    address: requireEnv("SENDER_ADDRESS", env),
    ...(env.REPLY_ADDRESS ? { organizer: env.REPLY_ADDRESS } : {}),
    // The secretariat's monitored mailbox (Reply-To); without it replies go to the From address.
    ...(env.REPLY_TO_ADDRESS ? { replyTo: env.REPLY_TO_ADDRESS } : {}),
  };
  // The answer links are signed with a secret from Secrets Manager, read once (see prepare).
  const rsvpSecret = env.RSVP_SECRET_ARN
    ? new SecretsManagerSecret(env.RSVP_SECRET_ARN, requireEnv("AWS_REGION", env), env)
    : undefined;
  let rsvpLinks: RsvpLinks | undefined;
  // What is the same for every recipient of a notice in a language (its sentences, facts and
  // calendar) is composed once per chunk: the chunk reads its definition once, so the cache
  // lives and dies with that object. Only the recipient's own parts are composed per email.
  const perChunk = new WeakMap<NoticeDefinition, ChunkParts>();
  const partsOf = (definition: NoticeDefinition): ChunkParts => {
    let parts = perChunk.get(definition);
    if (parts === undefined) {
      parts = { common: new Map(), calendars: calendarTemplates() };
      perChunk.set(definition, parts);
    }
    return parts;
  };
  const compose = (definition: NoticeDefinition, contact: Contact) => {
    const parts = partsOf(definition);
    let common = parts.common.get(contact.language);
    if (common === undefined) {
      common = composeCommon(definition, contact.language, sender);
      parts.common.set(contact.language, common);
    }
    return personalise(common, contact, sender, rsvpLinks, parts.calendars);
  };
  const configurationSet = env.SES_CONFIGURATION_SET;
  const delivery: Omit<DeliveryContext, "limiter" | "deadline"> = {
    notices: new DynamoNoticeRepository(base.documentClient, base.tableName),
    contacts: base.contacts,
    meetings: new DynamoMeetingRepository(base.documentClient, base.tableName),
    mailer: new SesMailer(createSesClient(), sender, configurationSet || undefined),
    compose,
    now: () => new Date(),
    maxSendMs: MAX_SEND_MS,
    meetingReadMaxAgeMs: 1_000,
    // Without a reserved concurrency of one, several environments may send at once.
    parallelSenders: env.SENDER_PARALLEL === "true",
    concurrency: 8,
    throttleRetries: 6,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return {
    ...base,
    delivery,
    maxSendRate: numberEnv("SES_MAX_SEND_RATE", env),
    /** Reads what composing needs from elsewhere (the links' secret), once per environment. */
    async prepare(): Promise<void> {
      if (rsvpSecret === undefined || rsvpLinks !== undefined) return;
      rsvpLinks = { baseUrl: requireEnv("RSVP_BASE_URL", env), secret: await rsvpSecret.read() };
    },
  };
}

/** The reconciler: the open notices, the publisher, and how long it waits and keeps trying. */
export function createReconcilerRuntime(env: NodeJS.ProcessEnv = process.env) {
  const base = createWorkflowRuntime(env);
  return {
    ...base,
    notices: new DynamoNoticeRepository(base.documentClient, base.tableName),
    publisher: new EventBridgeNoticePublisher(
      new EventBridgeClient({}),
      requireEnv("EVENT_BUS_NAME", env),
    ),
    reconcileAfterMs: durationMs(requireEnv("RECONCILE_AFTER", env)),
    giveUpAfterMs: durationMs(requireEnv("RECONCILE_GIVE_UP_AFTER", env)),
  };
}
