import { randomUUID } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import type Mail from "nodemailer/lib/mailer";
import { encodeWord, foldLines } from "nodemailer/lib/mime-funcs";
import MimeNode from "nodemailer/lib/mime-node";
import type { OutgoingEmail } from "../domain/deliver-notices.js";
import type { Sender } from "../notices/render.js";

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

/** What nodemailer builds the message from: the same for the whole build and the template. */
export function mailOptions(email: OutgoingEmail, sender: Sender): Mail.Options {
  const subject = subjectOf(email.subject);
  return {
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
  };
}

/**
 * The MIME message, built whole by nodemailer: text and HTML alternatives, and the calendar as
 * iTIP part and attachment. The mailer builds the same message from a template (MimeTemplate, below).
 */
export async function mimeMessage(email: OutgoingEmail, sender: Sender): Promise<Buffer> {
  return new MailComposer(mailOptions(email, sender)).compile().build();
}

/**
 * Stand-ins for the recipient's own parts, which nodemailer passes through: each must appear
 * in the template exactly where (and as often as) the recipient's part goes. The bodies' marks
 * hold a non-ASCII letter so that nodemailer encodes them (as base64, asked for below).
 */
const MARK = {
  to: "kp-to-mark-7f3a@example.invalid",
  messageId: "<kp-message-id-mark-7f3a@example.invalid>",
  unsubscribe: "https://kp-unsubscribe-mark-7f3a.invalid/",
  text: "kp-text-mark-7f3a-é",
  html: "kp-html-mark-7f3a-é",
  calendar: "kp-calendar-mark-7f3a-é",
};
const MARK_DATE = new Date(0);

type Slot = "to" | "messageId" | "date" | "unsubscribe" | "text" | "html" | "calendar";

/** nodemailer 10's own header encoder (newer than @types/nodemailer 8): "key: value" unfolded. */
const encodeHeaderValue = (
  MimeNode as unknown as { encodeHeaderValue(key: string, value: unknown): string }
).encodeHeaderValue.bind(MimeNode);

/** A header as nodemailer writes it: its value encoded, the line folded at 76 characters. */
const header = (key: string, value: unknown) =>
  `${foldLines(`${key}: ${encodeHeaderValue(key, value)}`, 76)}\r\n`;

/**
 * A body as nodemailer writes a base64 part: lines of 76 characters. Cut with slices: the
 * regular expression of nodemailer's `wrap` cost a tenth of a millisecond per email.
 */
function base64Body(content: string): string {
  const encoded = Buffer.from(content, "utf8").toString("base64");
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return lines.join("\r\n");
}

/** The date as nodemailer writes its Date header. */
const dateHeader = (date: Date) => `Date: ${date.toUTCString().replace(/GMT/, "+0000")}\r\n`;

/**
 * The message of one notice in one language, built once by nodemailer with stand-ins for the
 * recipient's own parts (To, Message-ID, Date, List-Unsubscribe, the text, HTML and calendar),
 * then filled in for each recipient: their headers encoded and folded by nodemailer's own
 * functions, their bodies in base64. What is the same for every recipient (From, Reply-To, the
 * subject, the structure and its boundaries) is encoded once. Mail programs read it as they
 * read `mimeMessage`'s whole build of the same email (a property test checks it).
 */
export class MimeTemplate {
  private constructor(
    /** The template's bytes between the slots, one more than the slots. */
    private readonly pieces: Buffer[],
    private readonly slots: Slot[],
    private readonly messageIdDomain: string,
  ) {}

  /** What decides the template: two emails with the same key share every common part. */
  static keyOf(email: OutgoingEmail): string {
    return JSON.stringify([
      email.subject,
      email.language,
      email.tags.notice ?? "",
      email.calendar?.method ?? "",
      email.unsubscribe !== undefined,
    ]);
  }

  /** The template of `email`'s notice and language, or undefined when a stand-in is ambiguous. */
  static async build(email: OutgoingEmail, sender: Sender): Promise<MimeTemplate | undefined> {
    const options = mailOptions(
      {
        ...email,
        to: { name: "", address: MARK.to },
        text: MARK.text,
        html: MARK.html,
        ...(email.calendar === undefined
          ? {}
          : { calendar: { ...email.calendar, content: MARK.calendar } }),
        ...(email.unsubscribe === undefined ? {} : { unsubscribe: MARK.unsubscribe }),
      },
      sender,
    );
    // nodemailer passes an alternative's contentTransferEncoding to its part (not in its types).
    const asBase64 = <T>(part: T): T => ({ ...part, contentTransferEncoding: "base64" });
    const built = await new MailComposer({
      ...options,
      text: asBase64({ content: MARK.text }),
      html: asBase64({ content: MARK.html }),
      ...(options.icalEvent === undefined || typeof options.icalEvent !== "object"
        ? {}
        : { icalEvent: asBase64(options.icalEvent) }),
      messageId: MARK.messageId,
      date: MARK_DATE,
    })
      .compile()
      .build();
    const template = built.toString("latin1");
    const wanted: [Slot, string, number][] = [
      ["to", header("To", MARK.to), 1],
      ["messageId", header("Message-ID", MARK.messageId), 1],
      ["date", dateHeader(MARK_DATE), 1],
      ["text", base64Body(MARK.text), 1],
      ["html", base64Body(MARK.html), 1],
      // The calendar goes twice: the iTIP alternative and the invite.ics attachment.
      ["calendar", base64Body(MARK.calendar), email.calendar === undefined ? 0 : 2],
      [
        "unsubscribe",
        header("List-Unsubscribe", `<${MARK.unsubscribe}>`),
        email.unsubscribe === undefined ? 0 : 1,
      ],
    ];
    const found: { at: number; length: number; slot: Slot }[] = [];
    for (const [slot, mark, count] of wanted) {
      const places: number[] = [];
      for (let at = template.indexOf(mark); at !== -1; at = template.indexOf(mark, at + 1)) {
        places.push(at);
      }
      // A notice whose own text holds a stand-in (its title, say) is built whole instead.
      if (places.length !== count) return undefined;
      for (const at of places) found.push({ at, length: mark.length, slot });
    }
    found.sort((a, b) => a.at - b.at);
    // Latin-1 keeps one character per byte: the places in the text are places in the bytes.
    const pieces: Buffer[] = [];
    let from = 0;
    for (const place of found) {
      pieces.push(built.subarray(from, place.at));
      from = place.at + place.length;
    }
    pieces.push(built.subarray(from));
    const domain = sender.address.split("@").pop() ?? "localhost";
    return new MimeTemplate(
      pieces,
      found.map((place) => place.slot),
      domain,
    );
  }

  /** The message for `email`, whose key is this template's. */
  fill(email: OutgoingEmail, now = new Date()): Buffer {
    const values: Record<Slot, string> = {
      to: header("To", email.to),
      messageId: header("Message-ID", `<${randomUUID()}@${this.messageIdDomain}>`),
      date: dateHeader(now),
      unsubscribe:
        email.unsubscribe === undefined ? "" : header("List-Unsubscribe", `<${email.unsubscribe}>`),
      text: base64Body(email.text),
      html: base64Body(email.html),
      calendar: email.calendar === undefined ? "" : base64Body(email.calendar.content),
    };
    const parts: Buffer[] = [this.pieces[0] ?? Buffer.alloc(0)];
    this.slots.forEach((slot, index) => {
      parts.push(Buffer.from(values[slot]), this.pieces[index + 1] ?? Buffer.alloc(0));
    });
    return Buffer.concat(parts);
  }
}
