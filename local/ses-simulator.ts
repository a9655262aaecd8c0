import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import addressparser from "nodemailer/lib/addressparser";

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
            tags: { "ses:configuration-set": [destination.configurationSetName] },
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

/**
 * The SES endpoint the functions and the browser see: it passes every request to
 * aws-ses-v2-local and, for each message sent with a configuration set, reports what SES would.
 */
export function createSesFront(
  backend: string,
  onSent: (message: SentMessage) => Promise<void> | void,
): Server {
  const target = new URL(backend);
  return createServer(async (request, response) => {
    const body = await readBody(request);
    const answer = await new Promise<{
      status: number;
      headers: IncomingMessage["headers"];
      body: Buffer;
    }>((resolve, reject) => {
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host },
        },
        async (reply) =>
          resolve({
            status: reply.statusCode ?? 502,
            headers: reply.headers,
            body: await readBody(reply),
          }),
      );
      forwarded.on("error", reject);
      forwarded.end(body);
    });
    response.writeHead(answer.status, answer.headers);
    // SES reports what became of a message after it answered, as the real one does.
    await new Promise<void>((resolve) => response.end(answer.body, resolve));
    if (request.method === "POST" && request.url === "/" && answer.status === 200) {
      const form = new URLSearchParams(body.toString("utf8"));
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(answer.body.toString("utf8"))?.[1];
      if (form.get("Action") === "SendRawEmail" && messageId !== undefined) {
        const raw = Buffer.from(form.get("RawMessage.Data") ?? "", "base64").toString("utf8");
        const { from, recipients } = rawRecipients(raw);
        const configurationSetName = form.get("ConfigurationSetName") ?? undefined;
        await onSent({
          messageId,
          source: form.get("Source") ?? from,
          recipients,
          ...(configurationSetName === null || configurationSetName === undefined
            ? {}
            : { configurationSetName }),
        });
      }
    }
  });
}
