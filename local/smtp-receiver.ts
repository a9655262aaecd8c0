import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { SMTPServer } from "smtp-server";
import type { LocalFunction } from "./cloud-assembly.js";
import type { InvocationResult } from "./lambda-service.js";

/** SES receiving, locally: the receipt rule's S3 action, then its Lambda action. */
export interface SmtpReceiverOptions {
  host: string;
  port: number;
  /** The addresses the receipt rule takes (the organizer address). */
  recipients: () => string[];
  receiver: () => LocalFunction | undefined;
  /** Stores a message as the S3 action would: answers nothing, or throws. */
  store: (bucket: string, key: string, message: Buffer) => void;
  invoke: (fn: LocalFunction, event: unknown) => Promise<InvocationResult>;
  now: () => Date;
  log: (line: string) => void;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.replace(/^::ffff:/, "");
  return (isIP(plain) === 4 && plain.startsWith("127.")) || plain === "::1";
}

/** The event SES gives a receipt rule's Lambda action (see AWS's "Lambda action" docs). */
export function sesReceiptEvent(input: {
  messageId: string;
  at: Date;
  source: string;
  recipients: string[];
  spf: string;
  dkim: string;
  functionArn: string;
}) {
  const timestamp = input.at.toISOString();
  return {
    Records: [
      {
        eventSource: "aws:ses",
        eventVersion: "1.0",
        ses: {
          mail: {
            timestamp,
            source: input.source,
            messageId: input.messageId,
            destination: input.recipients,
            headersTruncated: false,
            headers: [],
            commonHeaders: {},
          },
          receipt: {
            timestamp,
            processingTimeMillis: 1,
            recipients: input.recipients,
            spamVerdict: { status: "PASS" },
            virusVerdict: { status: "PASS" },
            spfVerdict: { status: input.spf },
            dkimVerdict: { status: input.dkim },
            dmarcVerdict: { status: "GRAY" },
            action: {
              type: "Lambda",
              functionArn: input.functionArn,
              invocationType: "Event",
            },
          },
        },
      },
    ],
  };
}

/**
 * An SMTP server that stands for SES receiving: it takes mail for the organizer address only,
 * stores each message where the S3 action would (bucket and prefix from the function's
 * environment) and invokes receive-reply with SES's event. Mail from the loopback counts as
 * SPF PASS (it is this machine's own); DKIM is not checked (GRAY).
 */
export function createSmtpReceiver(options: SmtpReceiverOptions): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    size: 10 * 1024 * 1024,
    banner: "kp-workflows local SES receiving",
    onRcptTo(address, _session, callback) {
      const wanted = options.recipients().map((recipient) => recipient.toLowerCase());
      if (!wanted.includes(address.address.toLowerCase())) {
        const error = new Error(`550 ${address.address}: no receipt rule takes this address`);
        (error as Error & { responseCode: number }).responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        void (async () => {
          const fn = options.receiver();
          if (fn === undefined) throw new Error("The cloud assembly has no receive-reply function");
          const bucket = fn.environment.REPLY_BUCKET ?? "";
          const prefix = fn.environment.REPLY_KEY_PREFIX ?? "";
          const messageId = randomBytes(20).toString("hex");
          options.store(bucket, `${prefix}${messageId}`, Buffer.concat(chunks));
          const spf = isLoopback(session.remoteAddress) ? "PASS" : "GRAY";
          const event = sesReceiptEvent({
            messageId,
            at: options.now(),
            source: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
            spf,
            dkim: "GRAY",
            functionArn: fn.arn,
          });
          const result = await options.invoke(fn, event);
          if (!result.ok) {
            options.log(`✗ SMTP ${messageId}: receive-reply failed: ${result.error.errorMessage}`);
            const error = new Error(`451 ${result.error.errorType}: try again later`);
            (error as Error & { responseCode: number }).responseCode = 451;
            callback(error);
            return;
          }
          options.log(`✓ SMTP ${messageId} (SPF ${spf}) → receive-reply`);
          callback(null, `Ok: queued as ${messageId}`);
        })().catch((error: unknown) =>
          callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
}

export function listenSmtp(server: SMTPServer, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.server.address();
      resolve(
        `smtp://${host}:${typeof address === "object" && address !== null ? address.port : port}`,
      );
    });
  });
}
