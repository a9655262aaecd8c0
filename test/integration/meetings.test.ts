import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { futureEntries, yearsAhead } from "../support/examples.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { calendarOf, recipientOf, type StoredEmail, storedEmails } from "../support/ses.js";

const EXAMPLES = resolve(import.meta.dirname, "..", "fixtures", "examples");
const example = (file: string) =>
  JSON.parse(readFileSync(resolve(EXAMPLES, file), "utf8")) as PutEventsRequestEntry[];

/** One contact per kind of audience member: African and European member states, the secretariat, a partner. */
const CONTACTS = [
  {
    contactId: "de-focal-point-1",
    name: "Erika Mustermann",
    email: "erika@example.de",
    memberState: "DE",
  },
  {
    contactId: "fr-focal-point-1",
    name: "Claire Dubois",
    email: "claire@example.fr",
    memberState: "FR",
    language: "fr",
  },
  {
    contactId: "eg-focal-point-1",
    name: "Nour Hassan",
    email: "nour@example.eg",
    memberState: "EG",
    language: "ar",
  },
  {
    contactId: "ke-focal-point-1",
    name: "Amina Otieno",
    email: "amina@example.ke",
    memberState: "KE",
    reminders: false,
  },
  {
    contactId: "ss-focal-point-1",
    name: "Deng Garang",
    email: "deng@example.ss",
    memberState: "SS",
  },
  {
    contactId: "icmpd-staff-1",
    name: "Martin Huber",
    email: "martin@example.org",
    organisation: "ICMPD",
    roles: ["secretariat-staff"],
  },
  {
    contactId: "iom-observer-1",
    name: "Ana Ruiz",
    email: "ana@example.org",
    organisation: "IOM",
    roles: ["observer"],
  },
];
const FACT_SHEET_FILES = [
  "01-regional-training-juba-2022.json",
  "02-thematic-mombasa-2022.json",
  "04-workshop-cairo-2022.json",
  "05-berlin-2023.json",
];
/** The fact sheet's 9th SOM, moved ahead by whole years (see futureEntries). */
const SOM9 = yearsAhead("som-9-berlin-2023");
const SOM9_YEAR = yearsAhead("2023-03-16T09:00").slice(0, 4);
const EVERYONE = CONTACTS.map((contact) => contact.email).sort();
const STEERING_COMMITTEE = EVERYONE.filter((email) => email !== "ana@example.org");

function localTime(date: Date): string {
  return date.toISOString().slice(0, 16);
}

describe("meetings through the local runtime", () => {
  let stack: LocalStack;
  let rejections: DynamoRejectionRepository;
  const emails = async () => storedEmails(stack.runtime.description.sesEndpoint);
  const about = (all: StoredEmail[], title: string) =>
    all.filter((email) => email.subject.includes(title));

  beforeAll(async () => {
    stack = await startLocalStack();
    rejections = new DynamoRejectionRepository(stack.documents, stack.tableName);
    await stack.put(...CONTACTS.map((detail) => ({ detailType: "Contact Upserted", detail })));
  });
  afterAll(() => stack.stop());

  it("replays the fact sheet's 2022–2023 meetings: each is recorded, says why no one was told, and nothing is sent", async () => {
    for (const file of FACT_SHEET_FILES) await stack.putEntries(example(file));

    const out: string[] = [];
    await runKp(["meetings", "list", "--json", "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    const listed = JSON.parse(out.join("")) as { meetingId: string; notNotified?: string }[];
    expect(listed.map((meeting) => meeting.meetingId).sort()).toEqual(
      [
        "training-border-juba-2022",
        "thematic-legal-pathways-mombasa-2022",
        "workshop-law-enforcement-cairo-2022",
        "steering-committee-berlin-2023",
        "som-9-berlin-2023",
      ].sort(),
    );
    for (const meeting of listed) {
      expect(meeting.notNotified).toMatch(/^the meeting had already ended when it was scheduled/);
    }
    expect(await emails()).toEqual([]);
  });

  it("invites each audience's contacts once to future copies of the same meetings", async () => {
    for (const file of FACT_SHEET_FILES) await stack.putEntries(futureEntries(example(file)));

    const all = await emails();
    const recipients = (title: string) => about(all, title).map(recipientOf).sort();
    // Juba: the African member states listed, and the secretariat.
    expect(recipients("Regional training")).toEqual(
      ["amina@example.ke", "deng@example.ss", "martin@example.org", "nour@example.eg"].sort(),
    );
    expect(recipients("Legal Pathways")).toEqual(EVERYONE);
    expect(recipients("Innovative Law Enforcement")).toEqual(STEERING_COMMITTEE);
    expect(recipients("Steering Committee Meeting")).toEqual(STEERING_COMMITTEE);
    expect(recipients("Senior Officials")).toEqual(STEERING_COMMITTEE);
  });

  it("attaches a calendar invitation that a real parser reads: REQUEST, the meeting's UID, SEQUENCE 0, exact instants", async () => {
    const invitation = about(await emails(), "Senior Officials").find(
      (email) => recipientOf(email) === "erika@example.de",
    );
    const calendar = invitation === undefined ? undefined : calendarOf(invitation);

    expect(calendar).toMatchObject({
      method: "REQUEST",
      uid: `${SOM9}@kp-workflows.khartoumprocess.net`,
      sequence: 0,
      status: "CONFIRMED",
      // 16 March is before the clocks change in any year: CET.
      start: `${SOM9_YEAR}-03-16T08:00:00.000Z`,
      end: `${SOM9_YEAR}-03-16T16:30:00.000Z`,
      // The ORGANIZER is the reply address, where SES receives the calendars' answers.
      organizer: expect.stringMatching(/^mailto:rsvp@khartoumprocess.net$/i),
      attendee: expect.stringMatching(/^mailto:erika@example.de$/i),
      dtstamp: expect.any(String),
    });
  });

  it("writes to each contact in their language, with the venue's time and their own", async () => {
    const berlin = about(await emails(), "Berlin");
    const french = berlin.find((email) => recipientOf(email) === "claire@example.fr");
    const arabic = berlin.find((email) => recipientOf(email) === "nour@example.eg");
    const kenyan = berlin.find((email) => recipientOf(email) === "amina@example.ke");

    expect(french?.subject).toMatch(/^Invitation : /);
    expect(french?.body.text).toContain(`15 mars ${SOM9_YEAR}`);
    expect(arabic?.body.html).toContain('<html lang="ar" dir="rtl">');
    expect(arabic?.subject).toMatch(/^دعوة: /);
    // Berlin 14:00 is 16:00 in Nairobi; Paris keeps Berlin's time, so one time is enough.
    expect(kenyan?.body.text).toMatch(/Your time: .*16:00.*\n {4}East Africa Time \(UTC\+3\)/);
    expect(french?.body.text).not.toContain("Votre heure");
  });

  it("sends nothing when the same meetings are put again", async () => {
    const before = (await emails()).length;

    await stack.putEntries(futureEntries(example("05-berlin-2023.json")));
    await stack.putEntries(futureEntries(example("02-thematic-mombasa-2022.json")));

    expect((await emails()).length).toBe(before);
  });

  it("rejects another meeting under a meetingId already used, and keeps the reason", async () => {
    const [eventId] = await stack.put({
      detailType: "Meeting Scheduled",
      detail: {
        meetingId: SOM9,
        kind: "senior-officials-meeting",
        title: "Another meeting",
        startsAt: `${SOM9_YEAR}-04-01T09:00`,
        endsAt: `${SOM9_YEAR}-04-01T12:00`,
        timeZone: "Europe/Berlin",
        venue: { city: "Berlin", country: "DE" },
        audience: "all",
      },
    });

    const rejected = (await rejections.list()).find((item) => item.eventId === eventId);
    expect(rejected?.reason).toMatch(
      /already scheduled with other details; change it with Meeting Rescheduled/,
    );
  });

  it("sends one update per contact on a reschedule: same UID, higher SEQUENCE, the new time", async () => {
    const before = (await emails()).length;

    await stack.put({
      detailType: "Meeting Rescheduled",
      detail: {
        meetingId: SOM9,
        startsAt: `${SOM9_YEAR}-03-17T09:00`,
        endsAt: `${SOM9_YEAR}-03-17T17:30`,
        reason: "Venue availability",
      },
    });
    const updates = (await emails()).slice(before);

    expect(updates.map(recipientOf).sort()).toEqual(STEERING_COMMITTEE);
    const calendar = calendarOf(updates[0] as StoredEmail);
    expect(calendar).toMatchObject({
      method: "REQUEST",
      uid: `${SOM9}@kp-workflows.khartoumprocess.net`,
      sequence: 1,
      start: `${SOM9_YEAR}-03-17T08:00:00.000Z`,
    });
    expect(updates.find((email) => recipientOf(email) === "erika@example.de")?.body.text).toContain(
      "Reason: Venue availability",
    );
  });

  it("sends nothing more when the same reschedule is put again", async () => {
    const before = (await emails()).length;

    await stack.put({
      detailType: "Meeting Rescheduled",
      detail: {
        meetingId: SOM9,
        startsAt: `${SOM9_YEAR}-03-17T09:00`,
        endsAt: `${SOM9_YEAR}-03-17T17:30`,
      },
    });

    expect((await emails()).length).toBe(before);
  });

  it("sends one CANCEL per contact on a cancellation, and then refuses to reschedule the meeting", async () => {
    const before = (await emails()).length;

    await stack.put({
      detailType: "Meeting Cancelled",
      detail: { meetingId: SOM9, reason: "Postponed sine die" },
    });
    await stack.put({
      detailType: "Meeting Cancelled",
      detail: { meetingId: SOM9, reason: "Postponed sine die" },
    });
    const [rescheduleId] = await stack.put({
      detailType: "Meeting Rescheduled",
      detail: {
        meetingId: SOM9,
        startsAt: `${SOM9_YEAR}-05-17T09:00`,
        endsAt: `${SOM9_YEAR}-05-17T17:30`,
      },
    });
    const cancellations = (await emails()).slice(before);

    expect(cancellations.map(recipientOf).sort()).toEqual(STEERING_COMMITTEE);
    expect(calendarOf(cancellations[0] as StoredEmail)).toMatchObject({
      method: "CANCEL",
      status: "CANCELLED",
      sequence: 2,
      uid: `${SOM9}@kp-workflows.khartoumprocess.net`,
    });
    const rejected = (await rejections.list()).find((item) => item.eventId === rescheduleId);
    expect(rejected?.reason).toBe(`Meeting ${SOM9} was cancelled; it cannot be rescheduled.`);
  });

  it("lists the cancellation of an unknown meeting with what was kept, and rejects a meeting that ends before it starts", async () => {
    const [unknown, backwards] = await stack.put(
      { detailType: "Meeting Cancelled", detail: { meetingId: "no-such-meeting" } },
      {
        detailType: "Meeting Scheduled",
        detail: {
          meetingId: "backwards-2024",
          kind: "thematic-meeting",
          title: "Backwards",
          startsAt: "2024-05-02T09:00",
          endsAt: "2024-05-01T09:00",
          timeZone: "Africa/Cairo",
          venue: { city: "Cairo", country: "EG" },
          audience: "all",
        },
      },
    );

    const reasons = new Map((await rejections.list()).map((item) => [item.eventId, item.reason]));
    expect(reasons.get(unknown ?? "")).toMatch(
      /^There is no meeting no-such-meeting yet: it is kept as cancelled, so that a Meeting Scheduled for it sent at or before .* is refused/,
    );
    expect(reasons.get(backwards ?? "")).toBe("detail.endsAt: endsAt must be after startsAt");
  });

  it("shows each recipient's notice status with kp meetings show", async () => {
    const out: string[] = [];
    await runKp(["meetings", "show", SOM9, "--json", "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });

    const shown = JSON.parse(out.join("")) as {
      meeting: { status: string; sequence: number };
      notices: {
        noticeId: string;
        status: Record<string, number>;
        records: { status: string; messageId?: string }[];
      }[];
    };
    expect(shown.meeting).toMatchObject({ status: "cancelled", sequence: 2 });
    expect(shown.notices.map((notice) => notice.noticeId).sort()).toEqual([
      "cancellation-v2",
      "invitation-v0",
      "update-v1",
    ]);
    for (const notice of shown.notices) {
      expect(notice.status).toEqual({ sent: STEERING_COMMITTEE.length });
      expect(notice.records.every((record) => record.messageId !== undefined)).toBe(true);
    }
  });

  describe("reminders, with the local clock", () => {
    it("sends each reminder once, when due, to the contacts who want reminders", async () => {
      const start = new Date(stack.runtime.clock.now().getTime() + 30 * 86_400_000);
      await stack.put({
        detailType: "Meeting Scheduled",
        detail: {
          meetingId: "reminded-meeting",
          kind: "thematic-workshop",
          title: "Reminded Workshop",
          startsAt: localTime(start),
          endsAt: localTime(new Date(start.getTime() + 3 * 3_600_000)),
          timeZone: "UTC",
          venue: { city: "Kampala", country: "UG" },
          audience: "steering-committee",
        },
      });
      const reminders = async () =>
        (await emails()).filter((email) =>
          // An Arabic subject isolates the Latin title: FSI (U+2068) before it.
          /^(Reminder: |Rappel : |تذكير: \u2068)Reminded/.test(email.subject),
        );

      // Starts in 30 days: the 14-day reminder is due in 16, the 2-day one in 28.
      await stack.advanceClock("P15D");
      const tooEarly = await reminders();
      await stack.advanceClock("P1DT1H");
      const early = await reminders();
      await stack.advanceClock("PT1H");
      const notAgain = await reminders();
      await stack.advanceClock("P12D");
      const both = await reminders();
      await stack.advanceClock("P5D");
      const after = await reminders();

      const wanted = STEERING_COMMITTEE.filter((email) => email !== "amina@example.ke");
      expect(tooEarly).toEqual([]);
      expect(early.map(recipientOf).sort()).toEqual(wanted);
      expect(notAgain).toHaveLength(early.length);
      expect(both).toHaveLength(2 * wanted.length);
      const toErika = both.filter((email) => recipientOf(email) === "erika@example.de");
      expect(toErika.map((email) => email.body.text?.match(/begins (in \d+ days)/)?.[1])).toEqual([
        "in 14 days",
        "in 2 days",
      ]);
      expect(after).toHaveLength(both.length);
    });

    it("moves reminders with a reschedule and drops them with a cancellation", async () => {
      const now = stack.runtime.clock.now().getTime();
      const start = new Date(now + 20 * 86_400_000);
      const later = new Date(now + 60 * 86_400_000);
      const meeting = (meetingId: string, title: string) => ({
        meetingId,
        kind: "regional-training",
        title,
        startsAt: localTime(start),
        endsAt: localTime(new Date(start.getTime() + 3_600_000)),
        timeZone: "UTC",
        venue: { city: "Djibouti", country: "DJ" },
        audience: { countries: ["DJ", "SS"] },
      });
      await stack.put(
        { detailType: "Meeting Scheduled", detail: meeting("moved-training", "Moved Training") },
        {
          detailType: "Meeting Scheduled",
          detail: meeting("cancelled-training", "Cancelled Training"),
        },
      );
      await stack.put(
        {
          detailType: "Meeting Rescheduled",
          detail: {
            meetingId: "moved-training",
            startsAt: localTime(later),
            endsAt: localTime(new Date(later.getTime() + 3_600_000)),
          },
        },
        { detailType: "Meeting Cancelled", detail: { meetingId: "cancelled-training" } },
      );
      const reminderSubjects = async () =>
        (await emails())
          .map((email) => email.subject)
          .filter((subject) => subject.startsWith("Reminder: "));

      await stack.advanceClock("P7D");
      const atOldTime = await reminderSubjects();
      await stack.advanceClock("P40D");
      const atNewTime = await reminderSubjects();

      expect(atOldTime.filter((subject) => /Moved|Cancelled Training/.test(subject))).toEqual([]);
      // The 14-day reminder of the new date, to the contacts of Djibouti and South Sudan and the secretariat.
      expect(atNewTime.filter((subject) => subject.includes("Moved Training"))).toHaveLength(2);
      expect(atNewTime.filter((subject) => subject.includes("Cancelled Training"))).toEqual([]);
    });
  });
});
