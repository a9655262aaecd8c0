import { describe, expect, it } from "vitest";
import type {
  MeetingRescheduledDetail,
  MeetingScheduledDetail,
} from "../../shared/contract/index.js";
import type { AudienceDirectory, AudienceQuery } from "../../shared/domain/audience.js";
import { type Contact, contactGroup } from "../../shared/domain/contacts.js";
import {
  type CancelledBeforeScheduled,
  ConcurrentMeetingChange,
  cancelMeeting,
  canonicalJson,
  type Meeting,
  type MeetingContext,
  type MeetingRepository,
  plannedReminders,
  type Reminder,
  rescheduleMeeting,
  type StoredMeeting,
  scheduleMeeting,
  sendDueReminders,
} from "../../shared/domain/meetings.js";
import type {
  ClaimOutcome,
  NoticeDefinition,
  NoticePublisher,
  NoticeRecord,
  NoticeRepository,
  NoticesDue,
} from "../../shared/domain/notices.js";
import { EventRejected } from "../../shared/domain/rejections.js";

/**
 * Create-if-absent (or over an older kept cancellation), replace only at the expected sequence,
 * reminders per meeting: the DynamoDB adapter's conditions.
 */
class InMemoryMeetings implements MeetingRepository {
  readonly meetings = new Map<string, StoredMeeting>();
  readonly reminders = new Map<string, Reminder[]>();
  /** Runs inside `replace`, before the check: lets a test change the meeting "meanwhile". */
  beforeReplace: (() => void) | undefined;

  async create(meeting: Meeting): Promise<StoredMeeting | undefined> {
    const stored = this.meetings.get(meeting.meetingId);
    const replaceable =
      stored === undefined ||
      (stored.status === "cancelled-before-scheduled" &&
        stored.cancelledAt < (meeting.scheduledAt ?? meeting.updatedAt));
    if (!replaceable) return structuredClone(stored);
    this.meetings.set(meeting.meetingId, structuredClone(meeting));
    return undefined;
  }

  async keepCancelled(cancellation: CancelledBeforeScheduled): Promise<StoredMeeting | undefined> {
    const stored = this.meetings.get(cancellation.meetingId);
    const replaceable =
      stored === undefined ||
      (stored.status === "cancelled-before-scheduled" &&
        stored.cancelledAt < cancellation.cancelledAt);
    if (!replaceable) return structuredClone(stored);
    this.meetings.set(cancellation.meetingId, structuredClone(cancellation));
    return undefined;
  }

  async find(meetingId: string): Promise<StoredMeeting | undefined> {
    const stored = this.meetings.get(meetingId);
    return stored === undefined ? undefined : structuredClone(stored);
  }

  async get(meetingId: string): Promise<Meeting | undefined> {
    const stored = this.meetings.get(meetingId);
    return stored === undefined || stored.status === "cancelled-before-scheduled"
      ? undefined
      : structuredClone(stored);
  }

  async replace(meeting: Meeting, expectedSequence: number): Promise<boolean> {
    this.beforeReplace?.();
    const stored = this.meetings.get(meeting.meetingId);
    if (stored?.status === "cancelled-before-scheduled") return false;
    if (stored === undefined || stored.sequence !== expectedSequence) return false;
    this.meetings.set(meeting.meetingId, structuredClone(meeting));
    return true;
  }

  async list(): Promise<Meeting[]> {
    return [...this.meetings.values()]
      .filter((meeting): meeting is Meeting => meeting.status !== "cancelled-before-scheduled")
      .map((meeting) => structuredClone(meeting));
  }

  async replaceReminders(meetingId: string, reminders: Reminder[]): Promise<void> {
    this.reminders.set(meetingId, structuredClone(reminders));
  }

  async dueReminders(now: Date): Promise<Reminder[]> {
    return this.allReminders().filter((reminder) => new Date(reminder.dueAt) <= now);
  }

  async removeReminder(reminder: Reminder): Promise<void> {
    const kept = (this.reminders.get(reminder.meetingId) ?? []).filter(
      (item) => !(item.offset === reminder.offset && item.sequence === reminder.sequence),
    );
    this.reminders.set(reminder.meetingId, kept);
  }

  allReminders(): Reminder[] {
    return [...this.reminders.values()].flat();
  }

  /** Puts a meeting (and its reminders) as another workflow would have left them. */
  seed(meeting: Meeting, reminders: Reminder[] = []): void {
    this.meetings.set(meeting.meetingId, structuredClone(meeting));
    this.reminders.set(meeting.meetingId, structuredClone(reminders));
  }
}

/** Answers the given contacts that an audience query selects, and records every query. */
class FakeDirectory implements AudienceDirectory {
  readonly queries: AudienceQuery[] = [];

  constructor(private readonly contacts: readonly Contact[]) {}

  async listAudience(query: AudienceQuery): Promise<Contact[]> {
    this.queries.push(structuredClone(query));
    return this.contacts.filter((contact) => {
      const group = contactGroup(contact);
      if (!query.groups.includes(group)) return false;
      if (group !== "member-state" || query.memberStates === undefined) return true;
      return query.memberStates.includes(contact.memberState ?? "");
    });
  }
}

/** Keeps the first definition of each notice, as the outbox table's condition does. */
class InMemoryNotices implements NoticeRepository {
  readonly definitions = new Map<string, NoticeDefinition>();

  async define(definition: NoticeDefinition): Promise<NoticeDefinition> {
    const key = `${definition.subjectKey}|${definition.noticeId}`;
    const stored = this.definitions.get(key);
    if (stored !== undefined) return stored;
    this.definitions.set(key, structuredClone(definition));
    return definition;
  }

  async getDefinition(subjectKey: string, noticeId: string) {
    return this.definitions.get(`${subjectKey}|${noticeId}`);
  }

  async listDefinitions(subjectKey: string): Promise<NoticeDefinition[]> {
    return [...this.definitions.values()].filter((item) => item.subjectKey === subjectKey);
  }

  async listRecords(): Promise<NoticeRecord[]> {
    return [];
  }

  claim(): Promise<ClaimOutcome> {
    throw new Error("the meeting workflows never claim a notice");
  }

  markSent(): Promise<void> {
    throw new Error("the meeting workflows never send");
  }

  markFailed(): Promise<void> {
    throw new Error("the meeting workflows never send");
  }

  markSkipped(): Promise<void> {
    throw new Error("the meeting workflows never send");
  }

  release(): Promise<void> {
    throw new Error("the meeting workflows never send");
  }
}

class RecordingPublisher implements NoticePublisher {
  readonly published: NoticesDue[] = [];

  async publish(batches: NoticesDue[]): Promise<void> {
    this.published.push(...structuredClone(batches));
  }

  noticeIds(): string[] {
    return [...new Set(this.published.map((batch) => batch.noticeId))];
  }

  contactIdsOf(noticeId: string): string[] {
    return this.published
      .filter((batch) => batch.noticeId === noticeId)
      .flatMap((batch) => batch.contactIds);
  }
}

function contact(
  fields: Pick<Contact, "contactId"> &
    Partial<Contact> &
    ({ memberState: string } | { organisation: string }),
): Contact {
  return {
    name: `Contact ${fields.contactId}`,
    email: `${fields.contactId}@example.org`,
    roles: ["focal-point"],
    language: "en",
    timeZone: "Europe/Berlin",
    reminders: true,
    updatedAt: "2023-01-01T00:00:00Z",
    ...fields,
  };
}

const germany = contact({ contactId: "de-focal-point-1", memberState: "DE" });
const kenya = contact({
  contactId: "ke-focal-point-1",
  memberState: "KE",
  language: "fr",
  timeZone: "Africa/Nairobi",
  reminders: false,
});
const southSudan = contact({
  contactId: "ss-senior-official-1",
  memberState: "SS",
  language: "ar",
  timeZone: "Africa/Juba",
});
const icmpd = contact({ contactId: "icmpd-staff-1", organisation: "ICMPD" });
const iom = contact({ contactId: "iom-observer-1", organisation: "IOM" });
const everyone = [germany, kenya, southSudan, icmpd, iom];

const som9: MeetingScheduledDetail = {
  meetingId: "som-9-berlin-2023",
  kind: "senior-officials-meeting",
  title: "9th Senior Officials' Meeting",
  startsAt: "2023-03-16T09:00",
  endsAt: "2023-03-16T17:30",
  timeZone: "Europe/Berlin",
  venue: { city: "Berlin", country: "DE", name: "Federal Foreign Office" },
  audience: "steering-committee",
  description: "Chairmanship handover from South Sudan to Germany.",
};
const SUBJECT = "MEETING#som-9-berlin-2023";
/** 09:00 in Berlin on 16 March 2023 (CET) is 08:00 UTC. */
const SOM9_START = "2023-03-16T08:00:00.000Z";

const moveToFriday: MeetingRescheduledDetail = {
  meetingId: som9.meetingId,
  startsAt: "2023-03-17T09:00",
  endsAt: "2023-03-17T17:30",
  reason: "Venue availability",
};

interface Fakes {
  meetings: InMemoryMeetings;
  directory: FakeDirectory;
  notices: InMemoryNotices;
  publisher: RecordingPublisher;
}

function contextAt(now: string, options: { contacts?: Contact[]; chunkSize?: number } = {}) {
  const fakes: Fakes = {
    meetings: new InMemoryMeetings(),
    directory: new FakeDirectory(options.contacts ?? everyone),
    notices: new InMemoryNotices(),
    publisher: new RecordingPublisher(),
  };
  const context: MeetingContext = {
    ...fakes,
    chunkSize: options.chunkSize ?? 100,
    now: new Date(now),
    reminderOffsets: ["P14D", "P2D"],
  };
  return { context, ...fakes };
}

/** The same fakes, a later moment. */
function later(context: MeetingContext, now: string): MeetingContext {
  return { ...context, now: new Date(now) };
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<EventRejected> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventRejected);
    return error as EventRejected;
  }
  throw new Error("expected the event to be rejected");
}

describe("canonicalJson", () => {
  it("gives the same text for the same detail whatever the order of its keys", () => {
    // Prepare
    const reordered = {
      ...Object.fromEntries(Object.entries(som9).reverse()),
      venue: { name: "Federal Foreign Office", country: "DE", city: "Berlin" },
    };

    // Act
    const texts = [canonicalJson(som9), canonicalJson(reordered)];

    // Assess
    expect(Object.keys(reordered)[0]).toBe("description");
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).not.toBe(canonicalJson({ ...som9, title: "Another title" }));
  });

  it("leaves out undefined fields, so an absent and an undefined optional field are equal", () => {
    // Act
    const text = canonicalJson({ b: 1, a: undefined, c: [{ y: "x", x: undefined }] });

    // Assess
    expect(text).toBe('{"b":1,"c":[{"y":"x"}]}');
  });
});

describe("plannedReminders", () => {
  it("plans each offset before the exact start, for the meeting's sequence", () => {
    // Prepare
    const meeting: Meeting = {
      ...som9,
      status: "scheduled",
      sequence: 2,
      scheduledDetail: canonicalJson(som9),
      updatedAt: "2023-01-01T00:00:00Z",
    };

    // Act
    const reminders = plannedReminders(meeting, ["P14D", "P2D"], new Date("2023-01-01T00:00:00Z"));

    // Assess
    expect(reminders).toEqual([
      { meetingId: som9.meetingId, offset: "P14D", dueAt: "2023-03-02T08:00:00.000Z", sequence: 2 },
      { meetingId: som9.meetingId, offset: "P2D", dueAt: "2023-03-14T08:00:00.000Z", sequence: 2 },
    ]);
  });
});

describe("scheduleMeeting", () => {
  it("stores the meeting at sequence 0 with the detail it was scheduled with", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    const stored = await meetings.get(som9.meetingId);
    expect(stored).toEqual({
      ...som9,
      status: "scheduled",
      sequence: 0,
      scheduledDetail: canonicalJson(som9),
      scheduledAt: "2023-02-01T10:00:00.000Z",
      updatedAt: "2023-02-01T10:00:00.000Z",
    });
  });

  it("plans both default reminders when both lie ahead", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(meetings.allReminders()).toEqual([
      { meetingId: som9.meetingId, offset: "P14D", dueAt: "2023-03-02T08:00:00.000Z", sequence: 0 },
      { meetingId: som9.meetingId, offset: "P2D", dueAt: "2023-03-14T08:00:00.000Z", sequence: 0 },
    ]);
  });

  it("plans only the reminders still ahead when the meeting is near", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-03-05T00:00:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(meetings.allReminders().map((reminder) => reminder.offset)).toEqual(["P2D"]);
  });

  it("plans no reminder for a meeting in the past", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-04-01T00:00:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(meetings.allReminders()).toEqual([]);
  });

  it("publishes the invitation to the audience in chunks of chunkSize", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-02-01T10:00:00Z", { chunkSize: 3 });

    // Act
    await scheduleMeeting({ ...som9, audience: "all" }, context);

    // Assess
    expect(publisher.published).toEqual([
      {
        subjectKey: SUBJECT,
        noticeId: "invitation-v0",
        contactIds: [germany.contactId, kenya.contactId, southSudan.contactId],
      },
      {
        subjectKey: SUBJECT,
        noticeId: "invitation-v0",
        contactIds: [icmpd.contactId, iom.contactId],
      },
    ]);
  });

  it("defines the invitation with a snapshot of the meeting at sequence 0", async () => {
    // Prepare
    const { context, notices } = contextAt("2023-02-01T10:00:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    const invitation = await notices.getDefinition(SUBJECT, "invitation-v0");
    expect(invitation).toEqual({
      subjectKey: SUBJECT,
      noticeId: "invitation-v0",
      kind: "invitation",
      definedAt: "2023-02-01T10:00:00.000Z",
      recipientCount: 4,
      audience: som9.audience,
      meeting: {
        meetingId: som9.meetingId,
        kind: som9.kind,
        title: som9.title,
        startsAt: som9.startsAt,
        endsAt: som9.endsAt,
        timeZone: som9.timeZone,
        venue: som9.venue,
        description: som9.description,
        sequence: 0,
      },
    });
  });

  it.each([
    {
      audience: "steering-committee" as const,
      query: { groups: ["member-state", "secretariat"] },
      recipients: [germany, kenya, southSudan, icmpd],
    },
    {
      audience: "all" as const,
      query: { groups: ["member-state", "secretariat", "partner"] },
      recipients: [germany, kenya, southSudan, icmpd, iom],
    },
    {
      audience: { countries: ["KE", "SS"] },
      query: { groups: ["member-state", "secretariat"], memberStates: ["KE", "SS"] },
      recipients: [kenya, southSudan, icmpd],
    },
  ])(
    "asks the directory for $query when the audience is $audience",
    async ({ audience, query, recipients }) => {
      // Prepare
      const { context, directory, publisher } = contextAt("2023-02-01T10:00:00Z");

      // Act
      await scheduleMeeting({ ...som9, audience }, context);

      // Assess
      expect(directory.queries).toEqual([query]);
      expect(publisher.contactIdsOf("invitation-v0")).toEqual(
        recipients.map((recipient) => recipient.contactId),
      );
    },
  );

  it("treats the same detail again as a duplicate: the same invitation is published again, defined once", async () => {
    // Prepare
    const { context, meetings, notices, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await scheduleMeeting(structuredClone(som9), later(context, "2023-02-01T10:05:00Z"));

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
    expect(publisher.published).toHaveLength(2);
    expect(await notices.listDefinitions(SUBJECT)).toHaveLength(1);
    expect((await notices.getDefinition(SUBJECT, "invitation-v0"))?.definedAt).toBe(
      "2023-02-01T10:00:00.000Z",
    );
    expect((await meetings.get(som9.meetingId))?.updatedAt).toBe("2023-02-01T10:00:00.000Z");
  });

  it("treats the same detail with its keys in another order as a duplicate", async () => {
    // Prepare
    const { context } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    const { venue, audience, ...rest } = som9;

    // Act
    const again = scheduleMeeting({ audience, venue: { ...venue }, ...rest }, context);

    // Assess
    await expect(again).resolves.toBeUndefined();
  });

  it("publishes nothing for a duplicate Meeting Scheduled after the meeting was rescheduled", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, later(context, "2023-02-02T10:00:00Z"));
    const publishedBefore = publisher.published.length;

    // Act
    await scheduleMeeting(som9, later(context, "2023-02-03T10:00:00Z"));

    // Assess
    expect(publisher.published).toHaveLength(publishedBefore);
    const stored = await meetings.get(som9.meetingId);
    expect(stored?.sequence).toBe(1);
    expect(stored?.startsAt).toBe("2023-03-17T09:00");
    expect(meetings.allReminders().every((reminder) => reminder.sequence === 1)).toBe(true);
  });

  it("publishes nothing for a duplicate Meeting Scheduled after the meeting was cancelled", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await cancelMeeting({ meetingId: som9.meetingId }, context);
    const publishedBefore = publisher.published.length;

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(publisher.published).toHaveLength(publishedBefore);
    expect((await meetings.get(som9.meetingId))?.status).toBe("cancelled");
    expect(meetings.allReminders()).toEqual([]);
  });

  it("rejects another detail under a meetingId already taken, with a readable reason", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    const publishedBefore = publisher.published.length;

    // Act
    const rejected = await rejectionOf(
      scheduleMeeting({ ...som9, title: "10th Senior Officials' Meeting" }, context),
    );

    // Assess
    expect(rejected.message).toBe(
      "Meeting som-9-berlin-2023 is already scheduled with other details; change it with Meeting Rescheduled, or use another meetingId.",
    );
    expect((await meetings.get(som9.meetingId))?.title).toBe(som9.title);
    expect(publisher.published).toHaveLength(publishedBefore);
  });

  it("rejects a meeting whose end comes before its start across the spring clock change", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    const detail = { ...som9, startsAt: "2023-03-26T03:15", endsAt: "2023-03-26T01:45" };

    // Act
    const rejected = await rejectionOf(scheduleMeeting(detail, context));

    // Assess
    expect(rejected.message).toBe("endsAt must be after startsAt");
    expect(await meetings.list()).toEqual([]);
    expect(publisher.published).toEqual([]);
  });

  it("rejects a meeting that ends when it starts", async () => {
    // Prepare
    const { context } = contextAt("2023-02-01T10:00:00Z");

    // Act
    const rejected = await rejectionOf(
      scheduleMeeting({ ...som9, endsAt: som9.startsAt }, context),
    );

    // Assess
    expect(rejected.message).toBe("endsAt must be after startsAt");
  });

  it("rejects a start at a local time the spring clock change skips, naming time and zone", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    const detail = { ...som9, startsAt: "2023-03-26T02:30", endsAt: "2023-03-26T10:00" };

    // Act
    const rejected = await rejectionOf(scheduleMeeting(detail, context));

    // Assess
    expect(rejected.message).toBe(
      "2023-03-26T02:30 does not exist in Europe/Berlin (the clocks change then)",
    );
    expect(await meetings.list()).toEqual([]);
    expect(publisher.published).toEqual([]);
  });
});

describe("rescheduleMeeting", () => {
  it("rejects a meeting that was never scheduled", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-02-01T10:00:00Z");

    // Act
    const rejected = await rejectionOf(rescheduleMeeting(moveToFriday, context));

    // Assess
    expect(rejected.message).toBe("There is no meeting som-9-berlin-2023 to reschedule.");
    expect(publisher.published).toEqual([]);
  });

  it("rejects a cancelled meeting", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await cancelMeeting({ meetingId: som9.meetingId }, context);
    const publishedBefore = publisher.published.length;

    // Act
    const rejected = await rejectionOf(rescheduleMeeting(moveToFriday, context));

    // Assess
    expect(rejected.message).toBe(
      "Meeting som-9-berlin-2023 was cancelled; it cannot be rescheduled.",
    );
    expect((await meetings.get(som9.meetingId))?.startsAt).toBe(som9.startsAt);
    expect(publisher.published).toHaveLength(publishedBefore);
  });

  it("raises the sequence and stores the new times and the reason", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(moveToFriday, later(context, "2023-02-02T10:00:00Z"));

    // Assess
    const stored = await meetings.get(som9.meetingId);
    expect(stored).toMatchObject({
      status: "scheduled",
      sequence: 1,
      startsAt: "2023-03-17T09:00",
      endsAt: "2023-03-17T17:30",
      reason: "Venue availability",
      updatedAt: "2023-02-02T10:00:00.000Z",
    });
  });

  it("keeps the time zone and venue when the reschedule does not give them", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(
      { meetingId: som9.meetingId, startsAt: "2023-03-17T09:00", endsAt: "2023-03-17T17:30" },
      context,
    );

    // Assess
    const stored = await meetings.get(som9.meetingId);
    expect(stored?.timeZone).toBe("Europe/Berlin");
    expect(stored?.venue).toEqual(som9.venue);
  });

  it("takes the new time zone and venue when the reschedule gives them", async () => {
    // Prepare
    const { context, meetings, notices } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    const nairobi = { city: "Nairobi", country: "KE" };

    // Act
    await rescheduleMeeting(
      { ...moveToFriday, timeZone: "Africa/Nairobi", venue: nairobi },
      context,
    );

    // Assess
    const stored = await meetings.get(som9.meetingId);
    expect(stored?.timeZone).toBe("Africa/Nairobi");
    expect(stored?.venue).toEqual(nairobi);
    const update = await notices.getDefinition(SUBJECT, "update-v1");
    expect(update?.meeting?.venue).toEqual(nairobi);
  });

  it("keeps in the update where and when the meeting was, so the notice can say what changed", async () => {
    // Prepare
    const { context, notices } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(
      { ...moveToFriday, timeZone: "Africa/Nairobi", venue: { city: "Nairobi", country: "KE" } },
      later(context, "2023-02-02T10:00:00Z"),
    );

    // Assess
    const update = await notices.getDefinition(SUBJECT, "update-v1");
    expect(update?.meeting?.previous).toEqual({
      startsAt: som9.startsAt,
      endsAt: som9.endsAt,
      timeZone: som9.timeZone,
      venue: som9.venue,
    });
  });

  it("moves the reminders to the new start, for the new sequence", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(moveToFriday, context);

    // Assess
    expect(meetings.allReminders()).toEqual([
      { meetingId: som9.meetingId, offset: "P14D", dueAt: "2023-03-03T08:00:00.000Z", sequence: 1 },
      { meetingId: som9.meetingId, offset: "P2D", dueAt: "2023-03-15T08:00:00.000Z", sequence: 1 },
    ]);
  });

  it("publishes update-v1 to the audience with a snapshot of the moved meeting", async () => {
    // Prepare
    const { context, notices, publisher } = contextAt("2023-02-01T10:00:00Z", { chunkSize: 2 });
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(moveToFriday, context);

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1"]);
    expect(publisher.contactIdsOf("update-v1")).toEqual([
      germany.contactId,
      kenya.contactId,
      southSudan.contactId,
      icmpd.contactId,
    ]);
    expect(publisher.published.filter((batch) => batch.noticeId === "update-v1")).toHaveLength(2);
    const update = await notices.getDefinition(SUBJECT, "update-v1");
    expect(update).toMatchObject({
      kind: "update",
      meeting: { startsAt: "2023-03-17T09:00", sequence: 1, reason: "Venue availability" },
    });
  });

  it("re-publishes the same update and defines no new notice when the same reschedule is put again", async () => {
    // Prepare
    const { context, meetings, notices, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, context);

    // Act
    await rescheduleMeeting(structuredClone(moveToFriday), later(context, "2023-02-01T10:01:00Z"));

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1"]);
    expect(publisher.published.filter((batch) => batch.noticeId === "update-v1")).toHaveLength(2);
    expect((await notices.listDefinitions(SUBJECT)).map((item) => item.noticeId)).toEqual([
      "invitation-v0",
      "update-v1",
    ]);
    const stored = await meetings.get(som9.meetingId);
    expect(stored?.sequence).toBe(1);
    expect(stored?.updatedAt).toBe("2023-02-01T10:00:00.000Z");
  });

  it("rejects a reschedule to the time and venue the meeting already has at sequence 0", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    const rejected = await rejectionOf(
      rescheduleMeeting(
        { meetingId: som9.meetingId, startsAt: som9.startsAt, endsAt: som9.endsAt },
        context,
      ),
    );

    // Assess
    expect(rejected.message).toBe(
      "Meeting som-9-berlin-2023 already takes place at that time and venue; nothing to change.",
    );
    expect((await meetings.get(som9.meetingId))?.sequence).toBe(0);
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
  });

  it("rejects new times that do not exist at the venue", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    const rejected = await rejectionOf(
      rescheduleMeeting(
        { meetingId: som9.meetingId, startsAt: "2023-03-26T02:30", endsAt: "2023-03-26T10:00" },
        context,
      ),
    );

    // Assess
    expect(rejected.message).toContain("2023-03-26T02:30 does not exist in Europe/Berlin");
    expect((await meetings.get(som9.meetingId))?.sequence).toBe(0);
  });

  it("throws ConcurrentMeetingChange and publishes nothing when the meeting changed meanwhile", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    meetings.beforeReplace = () => {
      const stored = meetings.meetings.get(som9.meetingId);
      if (stored !== undefined && stored.status !== "cancelled-before-scheduled") {
        stored.sequence += 1;
      }
    };

    // Act
    const rescheduling = rescheduleMeeting(moveToFriday, context);

    // Assess
    await expect(rescheduling).rejects.toBeInstanceOf(ConcurrentMeetingChange);
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
    expect(meetings.allReminders().every((reminder) => reminder.sequence === 0)).toBe(true);
  });
});

describe("cancelMeeting", () => {
  it("keeps an id never scheduled as cancelled, and rejects the cancellation so the officer sees the unknown id", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");

    // Act
    const rejected = await rejectionOf(
      cancelMeeting({ meetingId: "som-10-rome-2024", reason: "Typo?" }, context),
    );

    // Assess
    expect(rejected.message).toBe(
      "There is no meeting som-10-rome-2024 yet: it is kept as cancelled, so that a Meeting Scheduled for it sent at or before 2023-02-01T10:00:00.000Z is refused (one put later schedules it). Check the meetingId.",
    );
    expect(await meetings.find("som-10-rome-2024")).toEqual({
      meetingId: "som-10-rome-2024",
      status: "cancelled-before-scheduled",
      cancelledAt: "2023-02-01T10:00:00.000Z",
      reason: "Typo?",
    });
    expect(await meetings.get("som-10-rome-2024")).toBeUndefined();
    expect(publisher.published).toEqual([]);
  });

  it("marks the meeting cancelled with a raised sequence and the reason, and drops its reminders", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await cancelMeeting(
      { meetingId: som9.meetingId, reason: "Postponed sine die" },
      later(context, "2023-02-05T10:00:00Z"),
    );

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      status: "cancelled",
      sequence: 1,
      reason: "Postponed sine die",
      updatedAt: "2023-02-05T10:00:00.000Z",
    });
    expect(meetings.allReminders()).toEqual([]);
  });

  it("sends cancellation-v<sequence> to the audience", async () => {
    // Prepare
    const { context, notices, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, context);

    // Act
    await cancelMeeting({ meetingId: som9.meetingId }, context);

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1", "cancellation-v2"]);
    expect(publisher.contactIdsOf("cancellation-v2")).toEqual([
      germany.contactId,
      kenya.contactId,
      southSudan.contactId,
      icmpd.contactId,
    ]);
    expect(await notices.getDefinition(SUBJECT, "cancellation-v2")).toMatchObject({
      kind: "cancellation",
      meeting: { sequence: 2, startsAt: "2023-03-17T09:00" },
    });
  });

  it("drops a reason left by an earlier reschedule when the cancellation gives none", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, context);

    // Act
    await cancelMeeting({ meetingId: som9.meetingId }, context);

    // Assess
    expect((await meetings.get(som9.meetingId))?.reason).toBeUndefined();
  });

  it("re-uses the same notice for a second cancellation and keeps the sequence", async () => {
    // Prepare
    const { context, meetings, notices, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await cancelMeeting({ meetingId: som9.meetingId }, context);

    // Act
    await cancelMeeting({ meetingId: som9.meetingId }, later(context, "2023-02-01T11:00:00Z"));

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "cancellation-v1"]);
    expect(
      publisher.published.filter((batch) => batch.noticeId === "cancellation-v1"),
    ).toHaveLength(2);
    expect(await notices.listDefinitions(SUBJECT)).toHaveLength(2);
    expect((await meetings.get(som9.meetingId))?.sequence).toBe(1);
  });

  it("throws ConcurrentMeetingChange and publishes nothing when the meeting changed meanwhile", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    meetings.beforeReplace = () => {
      const stored = meetings.meetings.get(som9.meetingId);
      if (stored !== undefined && stored.status !== "cancelled-before-scheduled") {
        stored.sequence += 1;
      }
    };

    // Act
    const cancelling = cancelMeeting({ meetingId: som9.meetingId }, context);

    // Assess
    await expect(cancelling).rejects.toBeInstanceOf(ConcurrentMeetingChange);
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
    expect(meetings.allReminders()).toHaveLength(2);
  });
});

describe("sendDueReminders", () => {
  it("sends the due reminder only to the audience's contacts who want reminders", async () => {
    // Prepare
    const { context, notices, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-02T08:00:00Z"));

    // Assess
    expect(sent).toBe(1);
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "reminder-P14D-v0"]);
    expect(publisher.contactIdsOf("reminder-P14D-v0")).toEqual([
      germany.contactId,
      southSudan.contactId,
      icmpd.contactId,
    ]);
    expect(await notices.getDefinition(SUBJECT, "reminder-P14D-v0")).toMatchObject({
      kind: "reminder",
      reminderOffset: "P14D",
      recipientCount: 3,
      meeting: { sequence: 0 },
    });
  });

  it("removes a sent reminder and leaves those not yet due", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await sendDueReminders(later(context, "2023-03-02T09:00:00Z"));

    // Assess
    expect(meetings.allReminders().map((reminder) => reminder.offset)).toEqual(["P2D"]);
  });

  it("sends nothing before a reminder is due", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-02T07:59:59Z"));

    // Assess
    expect(sent).toBe(0);
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
    expect(meetings.allReminders()).toHaveLength(2);
  });

  it("names the reminder after the meeting's current sequence", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, context);

    // Act
    await sendDueReminders(later(context, "2023-03-03T08:00:00Z"));

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1", "reminder-P14D-v1"]);
  });

  it("drops without sending a reminder of an older version of the meeting", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    const stale: Reminder = {
      meetingId: som9.meetingId,
      offset: "P14D",
      dueAt: "2023-03-02T08:00:00.000Z",
      sequence: 0,
    };
    meetings.seed(
      {
        ...som9,
        status: "scheduled",
        sequence: 1,
        scheduledDetail: canonicalJson(som9),
        updatedAt: "2023-02-01T10:00:00Z",
      },
      [stale],
    );

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-02T08:00:00Z"));

    // Assess
    expect(sent).toBe(0);
    expect(publisher.published).toEqual([]);
    expect(meetings.allReminders()).toEqual([]);
  });

  it("drops without sending a reminder of a cancelled meeting", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    meetings.seed(
      {
        ...som9,
        status: "cancelled",
        sequence: 1,
        scheduledDetail: canonicalJson(som9),
        updatedAt: "2023-02-01T10:00:00Z",
      },
      [
        {
          meetingId: som9.meetingId,
          offset: "P14D",
          dueAt: "2023-03-02T08:00:00.000Z",
          sequence: 1,
        },
      ],
    );

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-02T08:00:00Z"));

    // Assess
    expect(sent).toBe(0);
    expect(publisher.published).toEqual([]);
    expect(meetings.allReminders()).toEqual([]);
  });

  it("drops without sending a reminder whose meeting has already begun", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    const publishedBefore = publisher.published.length;

    // Act
    const sent = await sendDueReminders(later(context, SOM9_START));

    // Assess
    expect(sent).toBe(0);
    expect(publisher.published).toHaveLength(publishedBefore);
    expect(meetings.allReminders()).toEqual([]);
  });

  it("drops without sending a reminder of a meeting that is not stored", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    meetings.reminders.set("som-10-rome-2024", [
      {
        meetingId: "som-10-rome-2024",
        offset: "P2D",
        dueAt: "2023-03-01T08:00:00.000Z",
        sequence: 0,
      },
    ]);

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-02T08:00:00Z"));

    // Assess
    expect(sent).toBe(0);
    expect(publisher.published).toEqual([]);
    expect(meetings.allReminders()).toEqual([]);
  });
});

describe("late events and late sweeps", () => {
  it("rejects a reschedule older than the meeting's last change, so a late redelivery cannot move it back", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    await rescheduleMeeting(moveToFriday, later(context, "2023-02-03T10:00:00Z"));

    // Act
    const rejection = await rejectionOf(
      rescheduleMeeting(
        { ...moveToFriday, startsAt: "2023-03-20T09:00", endsAt: "2023-03-20T17:30" },
        later(context, "2023-02-02T10:00:00Z"),
      ),
    );

    // Assess
    expect(rejection.message).toMatch(
      /was changed by a later event .* this older reschedule was not applied/,
    );
    expect((await meetings.get(som9.meetingId))?.startsAt).toBe("2023-03-17T09:00");
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1"]);
  });

  it("sends only the reminder nearest the start when a late sweep finds two due", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    const sent = await sendDueReminders(later(context, "2023-03-15T08:00:00Z"));

    // Assess
    expect(sent).toBe(1);
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "reminder-P2D-v0"]);
    expect(meetings.allReminders()).toEqual([]);
  });
});

describe("a cancellation delivered before the Meeting Scheduled it refers to", () => {
  it("refuses the late, older Meeting Scheduled: nothing is published and the meeting stays cancelled", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:05Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));

    // Act
    const rejected = await rejectionOf(
      scheduleMeeting(som9, later(context, "2023-02-01T10:00:00Z")),
    );

    // Assess
    expect(rejected.message).toBe(
      "Meeting som-9-berlin-2023 was cancelled (by an event sent at 2023-02-01T10:00:05.000Z) before this Meeting Scheduled, sent at 2023-02-01T10:00:00.000Z, arrived; it was not scheduled and no one was invited. To schedule it after all, put Meeting Scheduled again.",
    );
    expect(publisher.published).toEqual([]);
    expect(meetings.allReminders()).toEqual([]);
    expect((await meetings.find(som9.meetingId))?.status).toBe("cancelled-before-scheduled");
  });

  it("refuses a Meeting Scheduled sent in the same second as the cancellation (a tie goes to the cancellation)", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-02-01T10:00:00Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));

    // Act
    const scheduling = scheduleMeeting(som9, context);

    // Assess
    await expect(scheduling).rejects.toBeInstanceOf(EventRejected);
    expect(publisher.published).toEqual([]);
  });

  it("accepts a Meeting Scheduled sent after the cancellation as a fresh start of the id", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));

    // Act
    await scheduleMeeting(som9, later(context, "2023-02-02T10:00:00Z"));

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      status: "scheduled",
      sequence: 0,
      scheduledAt: "2023-02-02T10:00:00.000Z",
    });
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
  });

  it("does not cancel the fresh meeting when the older cancellation is delivered again", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));
    await scheduleMeeting(som9, later(context, "2023-02-02T10:00:00Z"));

    // Act
    const rejected = await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));

    // Assess
    expect(rejected.message).toMatch(
      /was scheduled by an event sent at 2023-02-02T10:00:00.000Z, after this cancellation .* not applied/,
    );
    expect((await meetings.get(som9.meetingId))?.status).toBe("scheduled");
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
  });

  it("keeps the latest of two cancellations of an unknown id, so a Meeting Scheduled sent between them is refused", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-02-03T10:00:00Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));
    await rejectionOf(
      cancelMeeting({ meetingId: som9.meetingId }, later(context, "2023-02-01T10:00:00Z")),
    );

    // Act
    const scheduling = scheduleMeeting(som9, later(context, "2023-02-02T10:00:00Z"));

    // Assess
    await expect(scheduling).rejects.toBeInstanceOf(EventRejected);
    expect(publisher.published).toEqual([]);
  });

  it("still rejects a reschedule of an id only kept as cancelled", async () => {
    // Prepare
    const { context } = contextAt("2023-02-01T10:00:00Z");
    await rejectionOf(cancelMeeting({ meetingId: som9.meetingId }, context));

    // Act
    const rejected = await rejectionOf(
      rescheduleMeeting(moveToFriday, later(context, "2023-02-02T10:00:00Z")),
    );

    // Assess
    expect(rejected.message).toBe("There is no meeting som-9-berlin-2023 to reschedule.");
  });
});

describe("dates beyond the horizon", () => {
  it("rejects a Meeting Scheduled that starts more than five years after the event, naming the date", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2026-11-01T10:00:00Z");

    // Act
    const rejected = await rejectionOf(
      scheduleMeeting(
        { ...som9, startsAt: "2207-03-16T09:00", endsAt: "2207-03-16T17:30" },
        context,
      ),
    );

    // Assess
    expect(rejected.message).toBe(
      "startsAt 2207-03-16T09:00 is more than 5 years after this event was sent (2026-11-01T10:00:00.000Z); check the year.",
    );
    expect(await meetings.find(som9.meetingId)).toBeUndefined();
    expect(publisher.published).toEqual([]);
  });

  it("accepts a start just within five years", async () => {
    // Prepare
    const { context, publisher } = contextAt("2026-11-01T10:00:00Z");

    // Act
    await scheduleMeeting(
      { ...som9, startsAt: "2031-10-30T09:00", endsAt: "2031-10-30T17:30" },
      context,
    );

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
  });

  it("rejects a reschedule beyond the horizon and leaves the meeting open to a corrected one", async () => {
    // Prepare
    const { context, meetings } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);
    const typo = { ...moveToFriday, startsAt: "2203-03-17T09:00", endsAt: "2203-03-17T17:30" };
    await rejectionOf(rescheduleMeeting(typo, later(context, "2023-02-02T10:00:00Z")));

    // Act
    await rescheduleMeeting(moveToFriday, later(context, "2023-02-03T10:00:00Z"));

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      startsAt: "2023-03-17T09:00",
      sequence: 1,
    });
  });
});

describe("a meeting that had already ended", () => {
  /** 17:30 in Berlin on 16 March 2023 (CET) is 16:30 UTC. */
  const afterSom9 = "2023-03-16T16:31:00Z";

  it("is recorded without invitation or reminders, and says why", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt(afterSom9);

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      status: "scheduled",
      sequence: 0,
      notNotified:
        "the meeting had already ended when it was scheduled (it ended at 2023-03-16T16:30:00.000Z, the event was sent at 2023-03-16T16:31:00.000Z): no notice was sent",
    });
    expect(publisher.published).toEqual([]);
    expect(meetings.allReminders()).toEqual([]);
  });

  it("is invited as usual when the event was sent while it was still going on", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-03-16T16:29:00Z");

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
  });

  it("sends nothing for the same Meeting Scheduled again", async () => {
    // Prepare
    const { context, publisher } = contextAt(afterSom9);
    await scheduleMeeting(som9, context);

    // Act
    await scheduleMeeting(som9, context);

    // Assess
    expect(publisher.published).toEqual([]);
  });

  it("sends the update when it is rescheduled into the future, and forgets why it was silent", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt(afterSom9);
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(
      { ...moveToFriday, startsAt: "2023-05-17T09:00", endsAt: "2023-05-17T17:30" },
      later(context, "2023-03-17T10:00:00Z"),
    );

    // Assess
    const stored = await meetings.get(som9.meetingId);
    expect(stored).toMatchObject({ sequence: 1, startsAt: "2023-05-17T09:00" });
    expect(stored).not.toHaveProperty("notNotified");
    expect(publisher.noticeIds()).toEqual(["update-v1"]);
    expect(meetings.allReminders().map((reminder) => reminder.offset)).toEqual(["P14D", "P2D"]);
  });

  it("records a reschedule that stays in the past without notices, and says why", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-04-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await rescheduleMeeting(moveToFriday, later(context, "2023-04-02T10:00:00Z"));
    await rescheduleMeeting(moveToFriday, later(context, "2023-04-02T10:00:00Z"));

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      sequence: 1,
      startsAt: "2023-03-17T09:00",
      notNotified: expect.stringMatching(/^the meeting had already ended when it was rescheduled/),
    });
    expect(publisher.published).toEqual([]);
  });

  it("tells the audience when a meeting still ahead is moved into the past: their calendars hold it ahead", async () => {
    // Prepare
    const { context, publisher } = contextAt("2023-03-16T20:00:00Z");
    await scheduleMeeting(
      { ...som9, startsAt: "2023-03-20T09:00", endsAt: "2023-03-20T17:30" },
      context,
    );

    // Act
    await rescheduleMeeting(moveToFriday, later(context, "2023-03-18T10:00:00Z"));

    // Assess
    expect(publisher.noticeIds()).toEqual(["invitation-v0", "update-v1"]);
  });

  it("records the cancellation of a meeting that has ended without notices", async () => {
    // Prepare
    const { context, meetings, publisher } = contextAt("2023-02-01T10:00:00Z");
    await scheduleMeeting(som9, context);

    // Act
    await cancelMeeting({ meetingId: som9.meetingId }, later(context, "2023-03-20T10:00:00Z"));
    await cancelMeeting({ meetingId: som9.meetingId }, later(context, "2023-03-20T10:00:00Z"));

    // Assess
    expect(await meetings.get(som9.meetingId)).toMatchObject({
      status: "cancelled",
      sequence: 1,
      notNotified: expect.stringMatching(/^the meeting had already ended when it was cancelled/),
    });
    expect(publisher.noticeIds()).toEqual(["invitation-v0"]);
    expect(meetings.allReminders()).toEqual([]);
  });
});
