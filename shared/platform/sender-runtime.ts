import { DynamoMeetingRepository } from "../adapters/meeting-repository.js";
import { DynamoNoticeRepository } from "../adapters/notice-repository.js";
import { SecretsManagerSecret } from "../adapters/secret-reader.js";
import { createSesClient, MAX_SEND_MS, SesMailer } from "../adapters/ses-mailer.js";
import type { Contact } from "../domain/contacts.js";
import type { DeliveryContext } from "../domain/deliver-notices.js";
import type { NoticeDefinition } from "../domain/notices.js";
import { calendarTemplates } from "../notices/calendar-template.js";
import {
  type CommonNotice,
  composeCommon,
  personalise,
  type RsvpLinks,
} from "../notices/render.js";
import { requireEnv } from "./config.js";
import { numberEnv } from "./notice-runtime.js";
import { createWorkflowRuntime } from "./workflow-runtime.js";

/** What a chunk composes once per notice: the common part per language, the calendar template. */
interface ChunkParts {
  common: Map<Contact["language"], CommonNotice>;
  calendars: ReturnType<typeof calendarTemplates>;
}

/**
 * The sender (send-notices): SES at the account's rate, the outbox, the composer. Apart from the
 * other runtimes (notice-runtime.ts), so that only the sender's bundle carries the mailer
 * (nodemailer, the SES client) and the composer.
 */
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
