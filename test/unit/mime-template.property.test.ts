import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { type ParsedMail, simpleParser } from "mailparser";
import { beforeEach, describe, expect, it } from "vitest";
import { MimeTemplate, mimeMessage } from "../../shared/adapters/mime-message.js";
import { SesMailer } from "../../shared/adapters/ses-mailer.js";
import {
  contactUpsertedSchema,
  LANGUAGES,
  meetingScheduledSchema,
} from "../../shared/contract/index.js";
import type { Contact } from "../../shared/domain/contacts.js";
import { meetingSnapshot } from "../../shared/domain/meetings.js";
import type { NoticeDefinition } from "../../shared/domain/notices.js";
import { composeNotice, type Sender } from "../../shared/notices/render.js";
import {
  contactUpsertedArbitrary,
  meetingScheduledArbitrary,
  timesExist,
} from "../support/arbitraries.js";

const sender: Sender = {
  name: "Secrétariat du Processus de Khartoum",
  address: "notices@example.org",
  replyTo: "secretariat@example.org",
};
const links = { baseUrl: "https://rsvp.example.org/rsvp/", secret: "s" };
const DEFINED_AT = "2026-11-01T08:00:00.000Z";

/** An invitation (with its calendar) and a reminder (with its stop link) of one meeting. */
const definitionsArbitrary = meetingScheduledArbitrary
  .map((detail) => meetingScheduledSchema.parse(detail))
  .filter(timesExist)
  .map((meeting): NoticeDefinition[] => {
    const base = {
      subjectKey: `MEETING#${meeting.meetingId}`,
      definedAt: DEFINED_AT,
      recipientCount: 2,
      meeting: meetingSnapshot({ ...meeting, sequence: 0 }),
    };
    return [
      { ...base, noticeId: "invitation-v0", kind: "invitation" },
      { ...base, noticeId: "reminder-P14D-v0", kind: "reminder", reminderOffset: "P14D" },
    ];
  });

const recipientArbitrary = contactUpsertedArbitrary.map(
  (detail) => ({ ...contactUpsertedSchema.parse(detail), updatedAt: DEFINED_AT }) as Contact,
);

/** What a mail program shows and uses of a message (not its Message-ID, Date or encodings). */
function asRead(mail: ParsedMail) {
  return {
    subject: mail.subject,
    from: mail.from?.value,
    to: Array.isArray(mail.to) ? mail.to.flatMap((to) => to.value) : mail.to?.value,
    replyTo: mail.replyTo?.value,
    language: mail.headers.get("content-language"),
    notice: mail.headers.get("x-kp-notice"),
    autoSubmitted: mail.headers.get("auto-submitted"),
    list: mail.headers.get("list"),
    text: mail.text,
    html: mail.html,
    parts: mail.attachments.map((part) => ({
      contentType: part.contentType,
      filename: part.filename,
      content: part.content.toString("utf8"),
    })),
  };
}

describe("the message filled in from its notice's template", () => {
  it("reads as nodemailer's whole build of the same email, for every recipient of the notice", async () => {
    await fc.assert(
      fc.asyncProperty(
        definitionsArbitrary,
        fc.array(recipientArbitrary, { minLength: 2, maxLength: 3 }),
        fc.constantFrom(...LANGUAGES),
        async (definitions, recipients, language) => {
          for (const definition of definitions) {
            // Prepare
            const emails = recipients.map((recipient) =>
              composeNotice(definition, { ...recipient, language }, sender, links),
            );
            const first = emails[0];
            if (first === undefined) throw new Error("no recipient");
            const template = await MimeTemplate.build(first, sender);
            expect(template).toBeDefined();

            for (const email of emails) {
              // Act
              const filled = await simpleParser(template?.fill(email) ?? "");
              const whole = await simpleParser(await mimeMessage(email, sender));

              // Assess
              expect(MimeTemplate.keyOf(email)).toBe(MimeTemplate.keyOf(first));
              expect(asRead(filled)).toEqual(asRead(whole));
              expect(filled.messageId).toMatch(/^<[0-9a-f-]{36}@example\.org>$/);
              expect(filled.date?.getTime()).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 12, endOnFailure: true },
    );
  }, 120_000);
});

describe("SesMailer's messages", () => {
  const ses = mockClient(SESClient);
  beforeEach(() => {
    ses.reset();
    ses.on(SendRawEmailCommand).resolves({ MessageId: "0100-abc" });
  });

  const email = {
    to: { name: "Erika Mustermann", address: "erika.mustermann@example.de" },
    subject: "Invitation",
    text: "Dear Erika",
    html: "<p>Dear Erika</p>",
    language: "en",
    calendar: { method: "REQUEST" as const, content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" },
    tags: { notice: "invitation-v0" },
  };
  const sent = async () =>
    Promise.all(
      ses
        .commandCalls(SendRawEmailCommand)
        .map((call) => simpleParser(Buffer.from(call.args[0].input.RawMessage?.Data ?? ""))),
    );

  it("gives each recipient of a notice their own headers and bodies, and a Message-ID of their own", async () => {
    // Prepare
    const mailer = new SesMailer(new SESClient({}), sender);
    const second = {
      ...email,
      to: { name: "Jean Dupont", address: "jean.dupont@example.fr" },
      text: "Dear Jean",
      html: "<p>Dear Jean</p>",
    };

    // Act
    await mailer.send(email);
    await mailer.send(second);

    // Assess
    const [one, two] = await sent();
    expect(one?.to).toMatchObject({ value: [email.to] });
    expect(two?.to).toMatchObject({ value: [second.to] });
    expect([one?.text?.trim(), two?.text?.trim()]).toEqual(["Dear Erika", "Dear Jean"]);
    expect([one?.html, two?.html]).toEqual(["<p>Dear Erika</p>", "<p>Dear Jean</p>"]);
    expect(one?.messageId).not.toBe(two?.messageId);
  });

  it("builds whole a message whose common text holds a stand-in of the template", async () => {
    // Prepare
    // The text stand-in's base64, which the template looks for to put the text in.
    const subject = `Invitation ${Buffer.from("kp-text-mark-7f3a-é").toString("base64")}`;
    const tricky = { ...email, subject };
    expect(await MimeTemplate.build(tricky, sender)).toBeUndefined();

    // Act
    await new SesMailer(new SESClient({}), sender).send(tricky);

    // Assess
    const [mail] = await sent();
    expect(mail?.subject).toBe(subject);
    expect(mail?.to).toMatchObject({ value: [email.to] });
    expect(mail?.text?.trim()).toBe("Dear Erika");
  });
});
