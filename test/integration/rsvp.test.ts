import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTransport } from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { DynamoRsvpRepository } from "../../shared/adapters/rsvp-repository.js";
import { signRsvpToken } from "../../shared/domain/rsvp-token.js";
import { meetingUid } from "../../shared/notices/calendar.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "itip-replies");
const FIXTURE_UID = "som-12-rabat-2028@kp-workflows";
const REPLY_ADDRESS = "rsvp@khartoumprocess.net";
const MEETING_ID = "som-12-rabat-test";

/** A fixture made a reply to this test's meeting: its UID, in plain and in base64 parts. */
function adaptedReply(name: string, replace: [string, string][] = []): Buffer {
  let raw = readFileSync(join(FIXTURES, `${name}.eml`), "utf8");
  const swap = (text: string) =>
    [[FIXTURE_UID, meetingUid(MEETING_ID)] as [string, string], ...replace].reduce(
      (result, [from, to]) => result.replaceAll(from, to),
      text,
    );
  raw = raw.replace(/(?:^[A-Za-z0-9+/=]{20,}\r?\n)+/gm, (block) => {
    const decoded = Buffer.from(block.replace(/\s/g, ""), "base64").toString("utf8");
    if (!decoded.includes("BEGIN:VCALENDAR")) return block;
    const encoded = Buffer.from(swap(decoded), "utf8").toString("base64");
    return `${encoded.match(/.{1,76}/g)?.join("\n")}\n`;
  });
  return Buffer.from(swap(raw));
}

const localStart = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 11);

describe("RSVP: calendar replies over SMTP, answer links, late joiners, no reminders after a decline", () => {
  let stack: LocalStack;
  let rsvps: DynamoRsvpRepository;

  const contact = (contactId: string, name: string, email: string, memberState: string) => ({
    detailType: "Contact Upserted",
    detail: { contactId, name, email, memberState, roles: ["focal-point"] },
  });

  async function sendReply(raw: Buffer) {
    const [, , port] = (stack.runtime.description.smtpEndpoint ?? "").split(":");
    const transport = createTransport({
      host: "127.0.0.1",
      port: Number(port),
      secure: false,
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({
        envelope: { from: "someone@example.org", to: [REPLY_ADDRESS] },
        raw,
      });
    } finally {
      transport.close();
    }
    await stack.runtime.idle();
  }

  async function answers() {
    const current = await rsvps.listForMeeting(MEETING_ID);
    return Object.fromEntries(current.map((rsvp) => [rsvp.contactId, rsvp.answer]));
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    rsvps = new DynamoRsvpRepository(stack.documents, stack.tableName);
    await stack.put(
      contact("de-focal-point-1", "Erika Mustermann", "erika.mustermann@example.de", "DE"),
      contact("ke-focal-point-1", "Wanjiru Kamau-Ödegaard", "wanjiru.kamau@example.ke", "KE"),
      contact("eg-focal-point-1", "Nour El-Din", "nour@example.eg", "EG"),
    );
    await stack.put({
      detailType: "Meeting Scheduled",
      detail: {
        meetingId: MEETING_ID,
        kind: "senior-officials-meeting",
        title: "12th Senior Officials' Meeting",
        startsAt: `${localStart(20)}10:00`,
        endsAt: `${localStart(20)}17:00`,
        timeZone: "Africa/Casablanca",
        venue: { city: "Rabat", country: "MA" },
        audience: "steering-committee",
      },
    });
  });
  afterAll(() => stack.stop());

  /** The Stop reminders link of the first reminder sent to this address. */
  async function stopLinkOf(address: string): Promise<string> {
    const emails = await storedEmails(stack.runtime.description.sesEndpoint);
    const reminder = emails.find(
      (email) => recipientOf(email) === address && email.subject.startsWith("Reminder: "),
    );
    return /href="([^"]+)"[^>]*>Stop reminders<\/a>/.exec(reminder?.body.html ?? "")?.[1] ?? "";
  }

  it("invites with the receiving address as ORGANIZER and three answer links to the local page", async () => {
    // Act
    const emails = await storedEmails(stack.runtime.description.sesEndpoint);

    // Assess
    const invitation = emails.find((email) => recipientOf(email) === "nour@example.eg");
    expect(invitation?.body.html).toContain(`${stack.runtime.description.webEndpoint}/rsvp/`);
    const calendar = invitation?.attachments.find((part) =>
      part.contentType.startsWith("text/calendar"),
    );
    expect(Buffer.from(calendar?.content ?? "", "base64").toString()).toMatch(
      /ORGANIZER;[^\r\n]*:mailto:rsvp@khartoumprocess\.net/i,
    );
  });

  it("records the answers of Outlook, Gmail and Apple Calendar sent over SMTP", async () => {
    // Act
    await sendReply(adaptedReply("outlook-accepted"));
    await sendReply(adaptedReply("gmail-declined"));
    await sendReply(adaptedReply("apple-tentative"));

    // Assess
    expect(await answers()).toEqual({
      "de-focal-point-1": "accepted",
      "ke-focal-point-1": "declined",
      "eg-focal-point-1": "tentative",
    });
  });

  it("refuses a reply From another address than the contact's, and keeps it as rejected without the address", async () => {
    // Prepare
    const spoofed = adaptedReply("outlook-accepted", [
      [
        "From: Erika Mustermann <Erika.Mustermann@Example.DE>",
        "From: Mallory <mallory@example.net>",
      ],
      ["PARTSTAT=ACCEPTED", "PARTSTAT=DECLINED"],
    ]);

    // Act
    await sendReply(spoofed);

    // Assess
    expect((await answers())["de-focal-point-1"]).toBe("accepted");
    const [rejected] = await new DynamoRejectionRepository(stack.documents, stack.tableName).list({
      limit: 1,
    });
    expect(rejected).toMatchObject({ detailType: "Reply Received", contactId: "de-focal-point-1" });
    expect(rejected?.reason).toMatch(/From another address/);
    expect(JSON.stringify(rejected)).not.toContain("mallory");
  });

  it("records nothing on a link's GET, the answer on the page's POST, and refuses a tampered or expired token", async () => {
    // Prepare
    const emails = await storedEmails(stack.runtime.description.sesEndpoint);
    const html = emails.find((email) => recipientOf(email) === "nour@example.eg")?.body.html ?? "";
    const links = [...html.matchAll(/href="([^"]+\/rsvp\/[^"]+)"/g)].map((match) => match[1] ?? "");
    const attend = links[0] ?? "";
    const secret = readFileSync(join(stack.dataDir, "rsvp-link-secret"), "utf8").trim();
    const expired = signRsvpToken(
      {
        meetingId: MEETING_ID,
        contactId: "eg-focal-point-1",
        answer: "declined",
        expiresAt: new Date(Date.now() - 1000),
      },
      secret,
    );

    // Act
    const page = await fetch(attend);
    const pageText = await page.text();
    const afterGet = await answers();
    const tampered = await fetch(`${attend.slice(0, -3)}abc`, { method: "POST" });
    const late = await fetch(`${stack.runtime.description.webEndpoint}/rsvp/${expired}`, {
      method: "POST",
    });
    const afterRefusals = await answers();
    const confirmed = await fetch(attend, { method: "POST" });

    // Assess
    expect(links).toHaveLength(3);
    expect(page.status).toBe(200);
    expect(pageText).toContain('<form method="post">');
    expect(afterGet["eg-focal-point-1"]).toBe("tentative");
    expect(tampered.status).toBe(400);
    expect(late.status).toBe(400);
    expect(afterRefusals["eg-focal-point-1"]).toBe("tentative");
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("I will attend");
    expect((await answers())["eg-focal-point-1"]).toBe("accepted");
  });

  it("sends a contact added before the meeting its invitation, once", async () => {
    // Prepare
    const late = contact("ke-focal-point-2", "Achieng Otieno", "achieng.otieno@example.ke", "KE");

    // Act
    await stack.put(late);
    await stack.put({ ...late, detail: { ...late.detail, name: "Achieng A. Otieno" } });

    // Assess
    const emails = await storedEmails(stack.runtime.description.sesEndpoint);
    const theirs = emails.filter((email) => recipientOf(email) === "achieng.otieno@example.ke");
    expect(theirs.map((email) => email.subject)).toEqual([expect.stringMatching(/^Invitation: /)]);
  });

  it("reminds everyone of the audience but the member who declined", async () => {
    // Act
    await stack.advanceClock("P7D");

    // Assess
    const emails = await storedEmails(stack.runtime.description.sesEndpoint);
    const reminded = emails
      .filter((email) => email.subject.startsWith("Reminder: "))
      .map(recipientOf)
      .sort();
    expect(reminded).toEqual([
      "achieng.otieno@example.ke",
      "erika.mustermann@example.de",
      "nour@example.eg",
    ]);
  });

  it("shows each recipient's answer in kp meetings show --json, and attendance in kp report", async () => {
    // Prepare
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: () => undefined };

    // Act
    await runKp(["meetings", "show", MEETING_ID, "--json", "--local-dir", stack.dataDir], io);
    const shown = JSON.parse(out.join("\n")) as {
      notices: { noticeId: string; records: { contactId: string; rsvp: string | null }[] }[];
    };
    out.length = 0;
    await runKp(["report", MEETING_ID, "--json", "--local-dir", stack.dataDir], io);
    const report = JSON.parse(out.join("\n")) as {
      rows: { represents: string; attendance: Record<string, number> }[];
    };

    // Assess
    const invitation = shown.notices.find((notice) => notice.noticeId === "invitation-v0");
    expect(
      Object.fromEntries(
        (invitation?.records ?? []).map((record) => [record.contactId, record.rsvp]),
      ),
    ).toEqual({
      "de-focal-point-1": "accepted",
      "ke-focal-point-1": "declined",
      "eg-focal-point-1": "accepted",
      "ke-focal-point-2": null,
    });
    expect(report.rows.find((row) => row.represents === "KE")?.attendance).toEqual({
      accepted: 0,
      tentative: 0,
      declined: 1,
      noAnswer: 1,
    });
  });

  it("stops a member's reminders through the link of a reminder: asked on GET, done on POST, kept over a later upsert", async () => {
    // Prepare
    const contacts = new DynamoContactRepository(stack.documents, stack.tableName);
    const stopLink = await stopLinkOf("erika.mustermann@example.de");

    // Act
    const asked = await fetch(stopLink);
    const askedPage = await asked.text();
    const afterGet = await contacts.get("de-focal-point-1");
    const stopped = await fetch(stopLink, { method: "POST" });
    const stoppedPage = await stopped.text();
    await stack.put(
      contact("de-focal-point-1", "Erika Mustermann", "erika.mustermann@example.de", "DE"),
    );
    await stack.advanceClock("P12D");

    // Assess
    expect(stopLink.startsWith(`${stack.runtime.description.webEndpoint}/rsvp/`)).toBe(true);
    expect(asked.status).toBe(200);
    expect(askedPage).toContain('<form method="post">');
    expect(afterGet?.reminders).toBe(true);
    expect(stopped.status).toBe(200);
    expect(stoppedPage).toContain("you will receive no more reminders");
    expect((await contacts.get("de-focal-point-1"))?.reminders).toBe(false);
    const later = await storedEmails(stack.runtime.description.sesEndpoint);
    const reminders = (address: string) =>
      later.filter(
        (email) => recipientOf(email) === address && email.subject.startsWith("Reminder: "),
      ).length;
    expect(reminders("erika.mustermann@example.de")).toBe(1);
    expect(reminders("nour@example.eg")).toBe(2);
  });

  it("turns a member's reminders back on from the same link (the page's form), and a one-click unsubscribe stops them again", async () => {
    // Prepare: the member stopped them in the test before.
    const contacts = new DynamoContactRepository(stack.documents, stack.tableName);
    const stopLink = await stopLinkOf("erika.mustermann@example.de");
    const form = (body: string) => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });

    // Act
    const offered = await (await fetch(stopLink)).text();
    const resumed = await fetch(stopLink, form("action=resume"));
    const resumedPage = await resumed.text();
    const afterResume = await contacts.get("de-focal-point-1");
    const oneClick = await fetch(stopLink, form("List-Unsubscribe=One-Click"));

    // Assess
    expect(offered).toContain("Your reminders are off");
    expect(offered).toContain('<input type="hidden" name="action" value="resume">');
    expect(resumed.status).toBe(200);
    expect(resumedPage).toContain("you will again receive the reminders before each meeting");
    expect(afterResume?.reminders).toBe(true);
    expect(afterResume?.remindersStoppedAt).toBeUndefined();
    expect(oneClick.status).toBe(200);
    expect((await contacts.get("de-focal-point-1"))?.reminders).toBe(false);
  });
});
