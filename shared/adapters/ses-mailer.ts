import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeWord, foldLines } from "nodemailer/lib/mime-funcs";
import { noticeMessageTags } from "../contract/ses-events.js";
import {
  type Mailer,
  MailOutcomeUnknown,
  MailRejected,
  MailThrottled,
  type OutgoingEmail,
} from "../domain/deliver-notices.js";
import type { Sender } from "../notices/render.js";

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

/**
 * A subject in ASCII that holds what looks like an encoded word ("=?utf-8?q?x?=") is sent
 * encoded, or mail programs decode that part of a title; any other subject nodemailer encodes.
 */
function subjectOf(subject: string) {
  if (!subject.includes("=?")) return { subject };
  const encoded = foldLines(`Subject: ${encodeWord(subject, "B", 52)}`, 76).replace(
    /^Subject: /,
    "",
  );
  return { headers: { Subject: { prepared: true, value: encoded.trimEnd() } } };
}

/** The MIME message: text and HTML alternatives, and the calendar as iTIP part and attachment. */
export async function mimeMessage(email: OutgoingEmail, sender: Sender): Promise<Buffer> {
  const subject = subjectOf(email.subject);
  const composer = new MailComposer({
    from: { name: sender.name, address: sender.address },
    ...(sender.replyTo === undefined ? {} : { replyTo: sender.replyTo }),
    to: { name: email.to.name, address: email.to.address },
    ...("subject" in subject ? { subject: subject.subject } : {}),
    text: email.text,
    html: email.html,
    headers: {
      ...("headers" in subject ? subject.headers : {}),
      "Content-Language": email.language,
      "X-KP-Notice": email.tags.notice ?? "",
      // RFC 3834: sent by a program, so auto-responders (out of office) do not answer it.
      "Auto-Submitted": "auto-generated",
      // A reminder's stop link, which mail programs offer as "unsubscribe" (RFC 2369).
      ...(email.unsubscribe === undefined ? {} : { "List-Unsubscribe": `<${email.unsubscribe}>` }),
    },
    ...(email.calendar === undefined
      ? {}
      : {
          icalEvent: {
            method: email.calendar.method,
            filename: "invite.ics",
            content: email.calendar.content,
          },
        }),
  });
  return composer.compile().build();
}

/** The tags that name the notice record in every SES event of the message. */
function messageTags(email: OutgoingEmail): { Tags?: { Name: string; Value: string }[] } {
  const { subject, notice, contact } = email.tags;
  if (subject === undefined || notice === undefined || contact === undefined) return {};
  return { Tags: noticeMessageTags({ subjectKey: subject, noticeId: notice, contactId: contact }) };
}

/** SES (API v1 SendRawEmail): the raw message carries the calendar attachment. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly sender: Sender,
    private readonly configurationSetName?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const raw = await mimeMessage(email, this.sender);
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
