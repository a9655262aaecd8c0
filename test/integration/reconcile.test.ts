import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { meetingSubject } from "../../shared/domain/meetings.js";
import type { NoticeDefinition } from "../../shared/domain/notices.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const CONTACTS = ["fr", "eg", "ke", "et"].map((country) => ({
  contactId: `${country}-focal-point-1`,
  name: `Focal point ${country.toUpperCase()}`,
  email: `focal.point@example.${country}`,
  memberState: country.toUpperCase(),
}));
const [france, egypt, kenya, ethiopia] = CONTACTS.map((contact) => contact.contactId) as [
  string,
  string,
  string,
  string,
];

/** Sixty days ahead, at nine at the venue: a meeting still to come. */
function localTimeInDays(days: number, hour: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  return `${date.toISOString().slice(0, 10)}T${String(hour).padStart(2, "0")}:00`;
}

const MEETING = {
  meetingId: "thematic-reconcile-test",
  kind: "thematic-meeting",
  title: "Thematic Meeting on Smuggling Networks",
  startsAt: localTimeInDays(60, 9),
  endsAt: localTimeInDays(60, 17),
  timeZone: "Africa/Nairobi",
  venue: { city: "Nairobi", country: "KE" },
  audience: { countries: ["FR", "EG", "KE", "ET"] },
};
const SUBJECT = meetingSubject(MEETING.meetingId);

describe("the reconciler through the local runtime", () => {
  let stack: LocalStack;
  let notices: DynamoNoticeRepository;
  let invitation: NoticeDefinition;
  const emailsTo = async () => {
    const counts = new Map<string, number>();
    for (const email of await storedEmails(stack.runtime.description.sesEndpoint)) {
      counts.set(recipientOf(email), (counts.get(recipientOf(email)) ?? 0) + 1);
    }
    return (contactId: string) =>
      counts.get(CONTACTS.find((contact) => contact.contactId === contactId)?.email ?? "") ?? 0;
  };

  beforeAll(async () => {
    stack = await startLocalStack();
    notices = new DynamoNoticeRepository(stack.documents, stack.tableName);
    await stack.put(...CONTACTS.map((detail) => ({ detailType: "Contact Upserted", detail })));
    await stack.put({ detailType: "Meeting Scheduled", detail: MEETING });
    const stored = await notices.getDefinition(SUBJECT, "invitation-v0");
    if (stored === undefined) throw new Error("the invitation was not defined");
    invitation = stored;
  });
  afterAll(() => stack.stop());

  it("sends each recipient of a chunk lost in a dead-letter queue exactly one notice, and nothing twice", async () => {
    // Prepare: a reminder whose two chunks were stored but never reached the sender (lost in a
    // dead-letter queue); one recipient was already sent it before the loss.
    const lost: NoticeDefinition = {
      ...invitation,
      noticeId: "reminder-P2D-v0",
      kind: "reminder",
      reminderOffset: "P2D",
      definedAt: new Date().toISOString(),
      recipientCount: 4,
    };
    await notices.define(lost, [
      [france, egypt],
      [kenya, ethiopia],
    ]);
    const alreadySent = { subjectKey: SUBJECT, noticeId: lost.noticeId, contactId: france };
    await notices.claim(alreadySent, new Date(), new Date(Date.now() + 30_000));
    await notices.markSent(alreadySent, "sent-before-the-loss", new Date());
    const sentBefore = await emailsTo();

    // Act
    await stack.advanceClock("PT15M");
    await stack.advanceClock("PT15M");

    // Assess
    const sentAfter = await emailsTo();
    expect(CONTACTS.map(({ contactId }) => sentAfter(contactId) - sentBefore(contactId))).toEqual([
      0, 1, 1, 1,
    ]);
    const records = await notices.noticeRecords(SUBJECT, lost.noticeId);
    expect(records.map((record) => record.status)).toEqual(["sent", "sent", "sent", "sent"]);
    expect((await notices.listOpen(new Date("2999-01-01"))).map((open) => open.noticeId)).toEqual(
      [],
    );
  });

  it("gives up on a notice older than the give-up time: remaining recipients failed, with the reason", async () => {
    // Prepare: a notice defined two days ago (by the runtime's clock) that never reached anyone.
    const now = await stack.advanceClock("PT1M");
    const definedAt = new Date(now.getTime() - 2 * 86_400_000).toISOString();
    const forgotten: NoticeDefinition = {
      ...invitation,
      noticeId: "reminder-P14D-v0",
      kind: "reminder",
      reminderOffset: "P14D",
      definedAt,
      recipientCount: 2,
    };
    await notices.define(forgotten, [[egypt, kenya]]);
    const sentBefore = await emailsTo();

    // Act
    await stack.advanceClock("PT15M");

    // Assess
    const sentAfter = await emailsTo();
    expect(sentAfter(egypt) - sentBefore(egypt)).toBe(0);
    expect(sentAfter(kenya) - sentBefore(kenya)).toBe(0);
    const records = await notices.noticeRecords(SUBJECT, forgotten.noticeId);
    expect(records.map(({ contactId, status, reason }) => ({ contactId, status, reason }))).toEqual(
      [egypt, kenya].map((contactId) => ({
        contactId,
        status: "failed",
        reason: `gave up after 24 h: not sent since the notice was defined at ${definedAt}`,
      })),
    );
  });
});
