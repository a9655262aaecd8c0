import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { noticeMessageTags } from "../contract/ses-events.js";
import {
  type Mailer,
  MailOutcomeUnknown,
  MailRejected,
  MailThrottled,
  type OutgoingEmail,
} from "../domain/deliver-notices.js";
import type { Sender } from "../notices/render.js";
import { MimeTemplate, mimeMessage } from "./mime-message.js";

export { mimeMessage } from "./mime-message.js";

/** How long one SendRawEmail may take before its outcome is called unknown. */
export const SES_REQUEST_TIMEOUT_MS = 10_000;
const SES_CONNECTION_TIMEOUT_MS = 3_000;
/** The longest one send can take: the request's timeout, the connection's, and a margin. */
export const MAX_SEND_MS = 30_000;

/**
 * One attempt per send, with explicit timeouts: the SDK must not retry a SendRawEmail behind the
 * outbox's back (a retry after a timeout can send twice); the outbox decides what is retried.
 */
export function createSesClient(): SESClient {
  return new SESClient({
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: SES_CONNECTION_TIMEOUT_MS,
      requestTimeout: SES_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
  });
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "MaxSendingRateExceeded",
]);
const REJECTED = new Set([
  "MessageRejected",
  "MailFromDomainNotVerified",
  "MailFromDomainNotVerifiedException",
  "InvalidParameterValue",
]);
/** The connection was never made: nothing was written, so nothing was sent. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export type SendOutcomeClass = "throttled" | "rejected" | "not-sent" | "ambiguous";

/**
 * What an error of SendRawEmail says about the message:
 * - throttled (Throttling, MaxSendingRateExceeded, HTTP 429): certainly not sent, retry later;
 * - rejected (MessageRejected, MailFromDomainNotVerified, ...): refused for good;
 * - not-sent: any other answer of SES below 500 (it refused the request), or no connection made;
 * - ambiguous: a timeout once connected, a 5xx, a reset connection, anything else: SES may have
 *   taken the message.
 */
export function classifySendError(error: unknown): SendOutcomeClass {
  if (!(error instanceof Error)) return "ambiguous";
  const { $metadata, code } = error as Error & {
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const status = $metadata?.httpStatusCode;
  if (THROTTLING.has(error.name) || status === 429 || /maximum sending rate/i.test(error.message)) {
    return "throttled";
  }
  if (REJECTED.has(error.name)) return "rejected";
  if (status !== undefined && status >= 400 && status < 500) return "not-sent";
  if (code !== undefined && NOT_CONNECTED.has(code)) return "not-sent";
  if (error.name === "TimeoutError" && /did not establish a connection/.test(error.message)) {
    return "not-sent";
  }
  return "ambiguous";
}

/** The tags that name the notice record in every SES event of the message. */
function messageTags(email: OutgoingEmail): { Tags?: { Name: string; Value: string }[] } {
  const { subject, notice, contact } = email.tags;
  if (subject === undefined || notice === undefined || contact === undefined) return {};
  return { Tags: noticeMessageTags({ subjectKey: subject, noticeId: notice, contactId: contact }) };
}

/** Templates kept at once: a chunk uses one per language; a few chunks' worth is plenty. */
const TEMPLATES_KEPT = 32;

/**
 * SES (API v1 SendRawEmail): the raw message carries the calendar attachment. The message is
 * built once per notice and language (MimeTemplate) and filled in for each recipient.
 */
export class SesMailer implements Mailer {
  private readonly templates = new Map<string, Promise<MimeTemplate | undefined>>();

  constructor(
    private readonly client: SESClient,
    private readonly sender: Sender,
    private readonly configurationSetName?: string,
  ) {}

  /** The raw message `send` sends: from its notice's template, or built whole without one. */
  async rawMessage(email: OutgoingEmail): Promise<Buffer> {
    const key = MimeTemplate.keyOf(email);
    let template = this.templates.get(key);
    if (template === undefined) {
      if (this.templates.size >= TEMPLATES_KEPT) this.templates.clear();
      template = MimeTemplate.build(email, this.sender);
      this.templates.set(key, template);
      // A template that failed is built again by the next send (this one fails as it did).
      template.catch(() => this.templates.delete(key));
    }
    const built = await template;
    return built === undefined ? mimeMessage(email, this.sender) : built.fill(email);
  }

  async send(email: OutgoingEmail): Promise<string> {
    const raw = await this.rawMessage(email);
    let messageId: string | undefined;
    try {
      const { MessageId } = await this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          ...messageTags(email),
          ...(this.configurationSetName === undefined
            ? {}
            : { ConfigurationSetName: this.configurationSetName }),
        }),
      );
      messageId = MessageId;
    } catch (error) {
      const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      switch (classifySendError(error)) {
        case "throttled":
          throw new MailThrottled(error instanceof Error ? error.message : described);
        case "rejected":
          throw new MailRejected(described);
        case "not-sent":
          throw error;
        case "ambiguous":
          throw new MailOutcomeUnknown(described, { cause: error });
      }
    }
    if (messageId === undefined) {
      // SES took the request but named no message: it may well be on its way.
      throw new MailOutcomeUnknown("SES answered without a MessageId");
    }
    return messageId;
  }
}
