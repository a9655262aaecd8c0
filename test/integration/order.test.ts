import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { DEFAULT_EVENT_BUS_NAME, SOURCE } from "../../shared/contract/index.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const CONTACTS = [
  {
    contactId: "de-focal-point-1",
    name: "Erika Mustermann",
    email: "erika@example.de",
    memberState: "DE",
  },
  {
    contactId: "icmpd-staff-1",
    name: "Martin Huber",
    email: "martin@example.org",
    organisation: "ICMPD",
    roles: ["secretariat-staff"],
  },
];

/** A PutEvents entry; `time` sets the event's EventBridge `Time`, e.g. to make it older. */
function entry(detailType: string, detail: unknown, time?: Date): PutEventsRequestEntry {
  return {
    EventBusName: DEFAULT_EVENT_BUS_NAME,
    Source: SOURCE,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    ...(time === undefined ? {} : { Time: time }),
  };
}

/** A future meeting (in 60 days, in Nairobi) to the Steering Committee. */
function meeting(meetingId: string, title: string, now: Date) {
  const start = new Date(now.getTime() + 60 * 86_400_000).toISOString().slice(0, 10);
  return {
    meetingId,
    kind: "thematic-meeting",
    title,
    startsAt: `${start}T09:00`,
    endsAt: `${start}T17:00`,
    timeZone: "Africa/Nairobi",
    venue: { city: "Nairobi", country: "KE" },
    audience: "steering-committee",
  };
}

describe("events delivered out of order, through the local runtime", () => {
  let stack: LocalStack;
  let rejections: DynamoRejectionRepository;
  const now = () => stack.runtime.clock.now();
  const minutesAgo = (minutes: number) => new Date(now().getTime() - minutes * 60_000);
  const emailsAbout = async (title: string) =>
    (await storedEmails(stack.runtime.description.sesEndpoint)).filter((email) =>
      email.subject.includes(title),
    );
  async function reasonsOf(...entries: PutEventsRequestEntry[]): Promise<string[]> {
    const response = await stack.putEntries(entries);
    const reasons = new Map((await rejections.list()).map((item) => [item.eventId, item.reason]));
    return (response.Entries ?? []).map((put) => reasons.get(put.EventId ?? "") ?? "(accepted)");
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    rejections = new DynamoRejectionRepository(stack.documents, stack.tableName);
    await stack.put(...CONTACTS.map((detail) => ({ detailType: "Contact Upserted", detail })));
  });
  afterAll(() => stack.stop());

  it("refuses a Meeting Scheduled older than the cancellation that arrived first, invites no one, and lists both", async () => {
    const cancelled = await reasonsOf(
      entry("Meeting Cancelled", { meetingId: "late-scheduled-meeting" }, minutesAgo(1)),
    );
    const scheduled = await reasonsOf(
      entry(
        "Meeting Scheduled",
        meeting("late-scheduled-meeting", "Late Scheduled Meeting", now()),
        minutesAgo(2),
      ),
    );
    const out: string[] = [];
    await runKp(["rejected", "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });

    expect(cancelled[0]).toMatch(
      /^There is no meeting late-scheduled-meeting yet: it is kept as cancelled/,
    );
    expect(scheduled[0]).toMatch(
      /^Meeting late-scheduled-meeting was cancelled \(by an event sent at .*\) before this Meeting Scheduled, sent at .*, arrived; it was not scheduled/,
    );
    expect(await emailsAbout("Late Scheduled Meeting")).toEqual([]);
    expect(out.join("\n")).toContain("no meeting late-scheduled-meeting yet");
  });

  it("schedules afresh a Meeting Scheduled put after a mistyped cancellation, and invites its audience", async () => {
    await reasonsOf(entry("Meeting Cancelled", { meetingId: "fresh-meeting" }, minutesAgo(60)));

    const scheduled = await reasonsOf(
      entry("Meeting Scheduled", meeting("fresh-meeting", "Fresh Meeting", now())),
    );

    expect(scheduled).toEqual(["(accepted)"]);
    const meetings = new DynamoMeetingRepository(stack.documents, stack.tableName);
    expect(await meetings.get("fresh-meeting")).toMatchObject({ status: "scheduled", sequence: 0 });
    expect((await emailsAbout("Fresh Meeting")).map(recipientOf).sort()).toEqual([
      "erika@example.de",
      "martin@example.org",
    ]);
  });

  it("refuses a Contact Upserted older than the removal that arrived first, and stores its name and email nowhere", async () => {
    const removed = await reasonsOf(
      entry("Contact Removed", { contactId: "it-late-1" }, minutesAgo(1)),
    );
    const upserted = await reasonsOf(
      entry(
        "Contact Upserted",
        {
          contactId: "it-late-1",
          name: "Giulia Tardiva",
          email: "giulia.tardiva@example.it",
          memberState: "IT",
        },
        minutesAgo(2),
      ),
    );

    expect(removed[0]).toMatch(/^There is no contact it-late-1 yet: it is kept as removed/);
    expect(upserted[0]).toMatch(/^Contact it-late-1 was removed at .*, after this event was sent/);
    const everything = JSON.stringify(await stack.scanEverything());
    expect(everything).not.toContain("Giulia Tardiva");
    expect(everything).not.toContain("giulia.tardiva@example.it");
  });

  it("adds a contact upserted after a removal of its then unknown id", async () => {
    await reasonsOf(entry("Contact Removed", { contactId: "it-fresh-1" }, minutesAgo(60)));

    const upserted = await reasonsOf(
      entry("Contact Upserted", {
        contactId: "it-fresh-1",
        name: "Giulia Rossi",
        email: "giulia.rossi@example.it",
        memberState: "IT",
      }),
    );

    expect(upserted).toEqual(["(accepted)"]);
    const contacts = new DynamoContactRepository(stack.documents, stack.tableName);
    expect(await contacts.get("it-fresh-1")).toMatchObject({ name: "Giulia Rossi" });
  });

  it("rejects dates more than five years ahead, and a handover ahead of its date, each with its reason", async () => {
    const typo = { ...meeting("typo-meeting", "Typo Meeting", now()) };
    // 2037 for 2027: a year the contract takes, but beyond the five-year horizon.
    const reasons = await reasonsOf(
      entry("Meeting Scheduled", {
        ...typo,
        startsAt: "2037-05-10T09:00",
        endsAt: "2037-05-10T17:00",
      }),
      entry("Chair Designated", { country: "KE", takesOfficeOn: "2037-03-01" }),
      entry("Chair Handover", { from: "DE", to: "KE", effectiveOn: "2037-03-01" }),
    );

    expect(reasons[0]).toMatch(/^startsAt 2037-05-10T09:00 is more than 5 years after this event/);
    expect(reasons[1]).toMatch(/^takesOfficeOn 2037-03-01 is more than 5 years after this event/);
    expect(reasons[2]).toMatch(
      /takes effect on 2037-03-01, after this event was sent .* Chair Designated/,
    );
    expect(await emailsAbout("Typo Meeting")).toEqual([]);
  });

  it("rejects a year outside the contract's range (2207 for 2027) before any rule runs", async () => {
    const typo = { ...meeting("century-typo", "Century Typo", now()) };
    const reasons = await reasonsOf(
      entry("Meeting Scheduled", {
        ...typo,
        startsAt: "2207-05-10T09:00",
        endsAt: "2207-05-10T17:00",
      }),
    );

    expect(reasons[0]).toBe(
      "detail.startsAt: must be in the years 2000 to 2199; detail.endsAt: must be in the years 2000 to 2199",
    );
    expect(await emailsAbout("Century Typo")).toEqual([]);
  });

  it("invites the audience to the README walkthrough's future Mombasa meeting", async () => {
    const file = resolve(
      import.meta.dirname,
      "..",
      "fixtures",
      "examples",
      "07-thematic-mombasa-2028.json",
    );

    const reasons = await reasonsOf(
      ...(JSON.parse(readFileSync(file, "utf8")) as PutEventsRequestEntry[]),
    );

    expect(reasons).toEqual(["(accepted)"]);
    // Audience "all": the contacts above, and the one added after a removal of its unknown id.
    expect((await emailsAbout("Legal Pathways")).map(recipientOf).sort()).toEqual([
      "erika@example.de",
      "giulia.rossi@example.it",
      "martin@example.org",
    ]);
  });
});
