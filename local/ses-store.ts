import { createRequire } from "node:module";
import { type Email, saveEmail } from "aws-ses-v2-local/dist/store.js";
import { getCurrentTimestamp, getMessageId } from "aws-ses-v2-local/dist/util.js";
import type { simpleParser as SimpleParser } from "mailparser";

// The mailparser aws-ses-v2-local itself uses, so that the store holds what it would.
const fromEmulator = createRequire(createRequire(import.meta.url).resolve("aws-ses-v2-local"));
const { simpleParser } = fromEmulator("mailparser") as {
  simpleParser: typeof SimpleParser;
};

interface Accepted {
  messageId: string;
  raw: Buffer;
  source: string | undefined;
  at: number;
}

/**
 * aws-ses-v2-local's store (its page at `/` and `GET /store`), filled when it is read rather than
 * at each send: SendRawEmail is answered as aws-ses-v2-local answers it, and mailparser's parse
 * of the message (the emulator's largest cost per email) waits until something reads the store.
 * Each message is also on disk as `<messageId>.eml` before the answer leaves.
 */
export class DeferredSesStore {
  private accepted: Accepted[] = [];
  private flushing: Promise<void> = Promise.resolve();

  /** A raw message SES accepts: its message id, as aws-ses-v2-local makes them. */
  accept(raw: Buffer, source: string | undefined): string {
    const messageId = getMessageId();
    this.accepted.push({ messageId, raw, source, at: getCurrentTimestamp() });
    return messageId;
  }

  /** Parses what was accepted into aws-ses-v2-local's store, in the order it was accepted. */
  flush(): Promise<void> {
    const batch = this.accepted;
    this.accepted = [];
    this.flushing = this.flushing.then(async () => {
      for (const accepted of batch) saveEmail(await parsed(accepted));
    });
    return this.flushing;
  }
}

/** The store's entry, as aws-ses-v2-local's SendRawEmail handler builds it. */
async function parsed({ messageId, raw, source, at }: Accepted): Promise<Email> {
  const message = await simpleParser(raw);
  const list = (value: typeof message.to) =>
    (Array.isArray(value) ? value : [value]).flatMap((entry) =>
      entry === undefined ? [] : [entry.text],
    );
  return {
    messageId,
    from: message.from?.text ?? source ?? "",
    replyTo: message.replyTo ? [message.replyTo.text] : [],
    destination: { to: list(message.to), cc: list(message.cc), bcc: list(message.bcc) },
    subject: message.subject ?? "(no subject)",
    body: { text: message.text, html: message.html || undefined },
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      content: attachment.content.toString("base64"),
    })),
    at,
  };
}
