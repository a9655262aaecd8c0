import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { join } from "node:path";
import { createEmlContent } from "aws-ses-v2-local/dist/emlFile.js";
import addressparser from "nodemailer/lib/addressparser";
import type { SesDecision } from "./chaos.js";
import { guarded } from "./listen.js";
import type { DeferredSesStore } from "./ses-store.js";

/** A configuration set's EventBridge destination, from the template. */
export interface SesEventDestination {
  configurationSetName: string;
  eventBusName: string;
  /** As the template names them: send, delivery, bounce, complaint, reject, deliveryDelay. */
  eventTypes: string[];
}

export interface SentMessage {
  messageId: string;
  configurationSetName?: string;
  source: string;
  recipients: string[];
  /** The message tags the sender gave (SendRawEmail's Tags), repeated in every event. */
  tags?: Record<string, string>;
}

const SIMULATOR_DOMAIN = "simulator.amazonses.com";

interface SimulatedEvent {
  type: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * What SES would report for one recipient: every message is sent; SES's mailbox simulator
 * addresses bounce, complain or land on the suppression list as they do in AWS, and every
 * other address is delivered (the local SES keeps every message).
 */
export function simulatedEvents(recipient: string, now: Date): SimulatedEvent[] {
  const timestamp = now.toISOString();
  const [local = "", domain = ""] = recipient.toLowerCase().split("@");
  const simulated = domain === SIMULATOR_DOMAIN ? local.split("+")[0] : undefined;
  const sent: SimulatedEvent = {
    type: "send",
    detailType: "Email Sent",
    detail: { eventType: "Send", send: {} },
  };
  const delivered: SimulatedEvent = {
    type: "delivery",
    detailType: "Email Delivered",
    detail: {
      eventType: "Delivery",
      delivery: { timestamp, recipients: [recipient], smtpResponse: "250 2.6.0 Message received" },
    },
  };
  const bounce = (bounceSubType: string): SimulatedEvent => ({
    type: "bounce",
    detailType: "Email Bounced",
    detail: {
      eventType: "Bounce",
      bounce: {
        bounceType: "Permanent",
        bounceSubType,
        bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1" }],
        timestamp,
      },
    },
  });
  switch (simulated) {
    case "bounce":
      return [sent, bounce("General")];
    case "suppressionlist":
      return [sent, bounce("OnAccountSuppressionList")];
    case "complaint":
      return [
        sent,
        delivered,
        {
          type: "complaint",
          detailType: "Email Complaint Received",
          detail: {
            eventType: "Complaint",
            complaint: {
              complainedRecipients: [{ emailAddress: recipient }],
              complaintFeedbackType: "abuse",
              timestamp,
            },
          },
        },
      ];
    default:
      // success@ and ooto@ (an auto-reply follows, which SES does not report) are delivered.
      return [sent, delivered];
  }
}

/** The SES events of one accepted message, as SES puts them on the destination's bus. */
export function sesEvents(
  message: SentMessage,
  destination: SesEventDestination,
  envelope: { account: string; region: string; now: Date },
) {
  const wanted = new Set(destination.eventTypes.map((type) => type.toLowerCase()));
  return message.recipients.flatMap((recipient) =>
    simulatedEvents(recipient, envelope.now)
      .filter((event) => wanted.has(event.type))
      .map((event) => ({
        detailType: event.detailType,
        detail: {
          ...event.detail,
          mail: {
            timestamp: envelope.now.toISOString(),
            source: message.source,
            sendingAccountId: envelope.account,
            messageId: message.messageId,
            destination: [recipient],
            tags: {
              ...Object.fromEntries(
                Object.entries(message.tags ?? {}).map(([name, value]) => [name, [value]]),
              ),
              "ses:configuration-set": [destination.configurationSetName],
            },
          },
        },
      })),
  );
}

/** The addresses of an address header, parsed as mail clients do (quoted names included). */
function addresses(header: string | undefined): string[] {
  if (header === undefined || header.trim() === "") return [];
  return addressparser(header, { flatten: true })
    .map((entry) => entry.address.toLowerCase())
    .filter((address) => address.includes("@"));
}

/** Who a raw MIME message is to: its To, Cc and Bcc headers (unfolded). */
export function rawRecipients(raw: string): { from: string; recipients: string[] } {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const header = (name: string) =>
    unfolded
      .split(/\r?\n/)
      .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((line) => line.slice(name.length + 1))
      .join(",");
  return {
    from: addresses(header("From"))[0] ?? "",
    recipients: [...new Set(["To", "Cc", "Bcc"].flatMap((name) => addresses(header(name))))],
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The SES query API's error document (API v1), as the SDK parses it. */
export function sesErrorAnswer(decision: "throttle" | "fail"): { status: number; body: string } {
  const [status, type, code, message] =
    decision === "throttle"
      ? [400, "Sender", "Throttling", "Maximum sending rate exceeded."]
      : [
          500,
          "Receiver",
          "InternalFailure",
          "The request processing has failed because of an unknown error, exception or failure.",
        ];
  return {
    status,
    body: `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

const SEND_ACTIONS = new Set([
  "SendRawEmail",
  "SendEmail",
  "SendTemplatedEmail",
  "SendBulkTemplatedEmail",
]);

/** Whether a request to the SES endpoint sends a message (API v1 actions, or v2's SendEmail). */
function isSend(request: IncomingMessage, form: URLSearchParams): boolean {
  if (request.method !== "POST") return false;
  if (request.url === "/") return SEND_ACTIONS.has(form.get("Action") ?? "");
  return (request.url ?? "").startsWith("/v2/email/outbound-emails");
}

/** SendRawEmail's Tags.member.N.Name / .Value, as a map. */
function messageTags(form: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; form.has(`Tags.member.${n}.Name`); n += 1) {
    tags[form.get(`Tags.member.${n}.Name`) ?? ""] = form.get(`Tags.member.${n}.Value`) ?? "";
  }
  return tags;
}

function writeAtomically(file: string, content: Buffer | string): void {
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

/**
 * SendRawEmail answered as aws-ses-v2-local answers it, the message kept for its store; undefined
 * for a request it would refuse (no message, no sender), which goes to it for its error.
 */
function acceptRaw(form: URLSearchParams, store: DeferredSesStore) {
  const data = form.get("RawMessage.Data");
  if (data === null) return undefined;
  const raw = Buffer.from(data, "base64");
  const source = form.get("Source") ?? undefined;
  if (source === undefined && rawRecipients(raw.toString("utf8")).from === "") return undefined;
  const messageId = store.accept(raw, source);
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>${messageId}</MessageId></SendRawEmailResult></SendRawEmailResponse>`,
    ),
  };
}

export interface SesFrontOptions {
  /** Where each accepted message is kept as `<messageId>.eml` (state dir + `mail/`). */
  mailDir: string;
  /** Reports what SES would for each message sent with a configuration set (before it answers). */
  onSent: (message: SentMessage) => Promise<void> | void;
  /** What `kp chaos` does with one request that sends (absent: every send passes). */
  decide?: () => Promise<SesDecision> | SesDecision;
  /** Keeps a request unanswered (SES timing out) until the fault lifts. */
  hold?: (response: ServerResponse) => void;
  /**
   * Answers SendRawEmail here and fills aws-ses-v2-local's store when it is read (absent: every
   * request goes to aws-ses-v2-local as it comes).
   */
  store?: DeferredSesStore;
  /** Told of each request to the API v1 endpoint (`POST /`), for the benchmark's counts. */
  onRequest?: () => void;
  log?: (line: string) => void;
  /** The SES account as SESv2 GetAccount answers it (`kp status`): the local stand-in's quota. */
  account?: () => Promise<SesAccount>;
}

/** The part of SESv2's GetAccount answer `kp status` reads. */
export interface SesAccount {
  ProductionAccessEnabled: boolean;
  SendingEnabled: boolean;
  EnforcementStatus: string;
  SendQuota: { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number };
}

/**
 * The local account: out of the sandbox (it sends to anyone), no daily limit (-1, as SES says
 * "unlimited"), the rate the sender keeps (`sesMaxSendRate`; 0, no limit), and what it sent in
 * the last 24 hours: the `.eml` files written since.
 */
export async function localSesAccount(
  mailDir: string,
  maxSendRate: number,
  now = Date.now(),
): Promise<SesAccount> {
  const since = now - 86_400_000;
  const files = await readdir(mailDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  let sent = 0;
  for (const file of files.filter((name) => name.endsWith(".eml"))) {
    const { mtimeMs } = await stat(join(mailDir, file));
    if (mtimeMs >= since) sent += 1;
  }
  return {
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: "HEALTHY",
    SendQuota: { Max24HourSend: -1, MaxSendRate: maxSendRate, SentLast24Hours: sent },
  };
}

/**
 * The SES endpoint the functions and the browser see: it passes every request to
 * aws-ses-v2-local; each message it accepts is written as `<messageId>.eml` and its SES events
 * put on the bus before the answer leaves, so neither is lost if the runtime is killed after
 * answering. `kp chaos ses-*` faults are applied here, to the requests that send.
 */
export function createSesFront(backend: string, options: SesFrontOptions): Server {
  const target = new URL(backend);
  mkdirSync(options.mailDir, { recursive: true });
  const forward = (request: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>(
      (resolve, reject) => {
        const forwarded = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, host: target.host },
          },
          (reply) => {
            readBody(reply).then(
              (replyBody) =>
                resolve({
                  status: reply.statusCode ?? 502,
                  headers: reply.headers,
                  body: replyBody,
                }),
              reject,
            );
          },
        );
        forwarded.on("error", reject);
        forwarded.end(body);
      },
    );

  /** The message as a mail client opens it: the raw MIME a sender gave, or the one SES built. */
  async function emlOf(form: URLSearchParams, messageId: string): Promise<Buffer | undefined> {
    const raw = form.get("RawMessage.Data");
    if (raw !== null) return Buffer.from(raw, "base64");
    const since = Math.floor(Date.now() / 1000) - 60;
    const stored = await fetch(`${backend}/store?since=${since}`);
    const { emails } = (await stored.json()) as { emails: { messageId: string }[] };
    const email = emails.find((candidate) => candidate.messageId === messageId);
    if (email === undefined) return undefined;
    return (await createEmlContent(email as Parameters<typeof createEmlContent>[0])).body;
  }

  return createServer(
    guarded("SES", options.log ?? (() => undefined), async (request, response) => {
      if (request.method === "POST" && request.url === "/") options.onRequest?.();
      const body = await readBody(request);
      if (options.account && request.method === "GET" && request.url === "/v2/email/account") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(await options.account()));
        return;
      }
      const form = new URLSearchParams(request.url === "/" ? body.toString("utf8") : "");
      const sends = isSend(request, form);
      const decision = sends && options.decide !== undefined ? await options.decide() : "pass";
      if (decision === "throttle" || decision === "fail") {
        const answer = sesErrorAnswer(decision);
        response.writeHead(answer.status, { "content-type": "text/xml" });
        response.end(answer.body);
        return;
      }
      if (decision === "hang") {
        // Nothing is sent and no answer comes: the client gives up (or the fault is lifted).
        options.hold?.(response);
        return;
      }
      const accepted =
        options.store !== undefined && sends && form.get("Action") === "SendRawEmail"
          ? acceptRaw(form, options.store)
          : undefined;
      if (accepted === undefined) await options.store?.flush();
      const answer = accepted ?? (await forward(request, body));
      const text = answer.body.toString("utf8");
      const messageId =
        /<MessageId>([^<]+)<\/MessageId>/.exec(text)?.[1] ??
        (/"MessageId"\s*:\s*"([^"]+)"/.exec(text)?.[1] || undefined);
      if (sends && answer.status === 200 && messageId !== undefined) {
        const eml = await emlOf(form, messageId);
        if (eml !== undefined) writeAtomically(join(options.mailDir, `${messageId}.eml`), eml);
        if (form.get("Action") === "SendRawEmail") {
          const { from, recipients } = rawRecipients(eml?.toString("utf8") ?? "");
          const configurationSetName = form.get("ConfigurationSetName") ?? undefined;
          await options.onSent({
            messageId,
            source: form.get("Source") ?? from,
            recipients,
            tags: messageTags(form),
            ...(configurationSetName === undefined ? {} : { configurationSetName }),
          });
        }
      }
      if (decision === "hang-after-send") {
        // The ambiguous case: SES stored and sent the message, but the answer never comes.
        options.hold?.(response);
        return;
      }
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    }),
  );
}
