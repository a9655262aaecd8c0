import { afterEach, describe, expect, it, vi } from "vitest";
import type { Contact } from "../../shared/domain/contacts.js";
import {
  type ContactReader,
  type DeliveryContext,
  deliverNotices,
  FAILURES_BEFORE_HOLDING_BACK,
  type Mailer,
  MailOutcomeUnknown,
  MailRejected,
  MailThrottled,
  type MeetingVersions,
  MIN_TIME_TO_SEND_MS,
  NoticesIncomplete,
  type OutgoingEmail,
  tokenBucket,
  UnknownNotice,
  withoutAddresses,
} from "../../shared/domain/deliver-notices.js";
import type {
  ClaimOutcome,
  NoticeDefinition,
  NoticeRecord,
  NoticesDue,
  Outbox,
  RecipientKey,
} from "../../shared/domain/notices.js";

const recordKey = (key: RecipientKey) => `${key.subjectKey}|${key.noticeId}|${key.contactId}`;

/** The outbox as the DynamoDB adapter's conditions define it. */
class InMemoryNotices implements Outbox {
  readonly definitions = new Map<string, NoticeDefinition>();
  readonly records = new Map<string, NoticeRecord>();
  readonly released: string[] = [];

  async define(definition: NoticeDefinition): Promise<NoticeDefinition> {
    const key = `${definition.subjectKey}|${definition.noticeId}`;
    const stored = this.definitions.get(key);
    if (stored !== undefined) return stored;
    this.definitions.set(key, definition);
    return definition;
  }

  async getDefinition(subjectKey: string, noticeId: string) {
    return this.definitions.get(`${subjectKey}|${noticeId}`);
  }

  readonly leases: number[] = [];

  async claim(key: RecipientKey, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    const stored = this.records.get(recordKey(key));
    if (stored !== undefined && stored.status !== "sending") return { status: "done" };
    if (stored?.leaseUntil !== undefined && new Date(stored.leaseUntil) >= now) {
      return { status: "busy", leaseUntil: new Date(stored.leaseUntil) };
    }
    this.leases.push(leaseUntil.getTime() - now.getTime());
    this.records.set(recordKey(key), {
      ...key,
      status: "sending",
      claimedAt: now.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
      updatedAt: now.toISOString(),
    });
    return { status: "claimed" };
  }

  async markAmbiguous(key: RecipientKey, reason: string, now: Date): Promise<void> {
    const stored = this.records.get(recordKey(key));
    if (stored?.status !== "sending") return;
    this.records.set(recordKey(key), {
      ...stored,
      ambiguousAt: now.toISOString(),
      ambiguousReason: reason,
      leaseUntil: now.toISOString(),
    });
  }

  async markSent(key: RecipientKey, messageId: string, now: Date): Promise<void> {
    this.records.set(recordKey(key), {
      ...key,
      status: "sent",
      messageId,
      updatedAt: now.toISOString(),
    });
  }

  async markFailed(key: RecipientKey, reason: string, now: Date): Promise<void> {
    this.records.set(recordKey(key), {
      ...key,
      status: "failed",
      reason,
      updatedAt: now.toISOString(),
    });
  }

  async markSkipped(key: RecipientKey, reason: string, now: Date): Promise<void> {
    if (this.records.has(recordKey(key))) return;
    this.records.set(recordKey(key), {
      ...key,
      status: "skipped",
      reason,
      updatedAt: now.toISOString(),
    });
  }

  async release(key: RecipientKey): Promise<void> {
    this.released.push(key.contactId);
    this.records.delete(recordKey(key));
  }

  async listRecords(subjectKey: string): Promise<NoticeRecord[]> {
    return [...this.records.values()].filter((record) => record.subjectKey === subjectKey);
  }

  async listDefinitions(subjectKey: string): Promise<NoticeDefinition[]> {
    return [...this.definitions.values()].filter((item) => item.subjectKey === subjectKey);
  }

  recordOf(contactId: string): NoticeRecord | undefined {
    return this.records.get(recordKey({ subjectKey: SUBJECT, noticeId: NOTICE_ID, contactId }));
  }
}

class InMemoryContacts implements ContactReader {
  constructor(private readonly contacts: readonly Contact[]) {}

  async getMany(contactIds: readonly string[]): Promise<Map<string, Contact>> {
    return new Map(
      this.contacts
        .filter((contact) => contactIds.includes(contact.contactId))
        .map((contact) => [contact.contactId, contact]),
    );
  }
}

/**
 * Records every email it accepts; `script` gives, per address, the errors the next sends throw
 * before one succeeds. Each send takes a few turns of the event loop, so sends overlap.
 */
class FakeMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  readonly attempts: string[] = [];
  readonly script = new Map<string, Error[]>();
  inFlight = 0;
  maxInFlight = 0;

  async send(email: OutgoingEmail): Promise<string> {
    this.attempts.push(email.to.address);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const failure = this.script.get(email.to.address)?.shift();
      if (failure !== undefined) throw failure;
      this.sent.push(email);
      return `message-${this.sent.length}`;
    } finally {
      this.inFlight -= 1;
    }
  }

  sentTo(): string[] {
    return this.sent.map((email) => email.to.address);
  }
}

/** The meeting as stored now; counts the reads. */
class FakeMeetings implements MeetingVersions {
  state: { status: "scheduled" | "cancelled"; sequence: number } | undefined = {
    status: "scheduled",
    sequence: 0,
  };
  reads = 0;

  async get() {
    this.reads += 1;
    return this.state === undefined ? undefined : { ...this.state };
  }
}

const SUBJECT = "MEETING#som-9-berlin-2023";
const NOTICE_ID = "invitation-v0";

const invitation: NoticeDefinition = {
  subjectKey: SUBJECT,
  noticeId: NOTICE_ID,
  kind: "invitation",
  definedAt: "2023-02-01T10:00:00.000Z",
  recipientCount: 3,
  meeting: {
    meetingId: "som-9-berlin-2023",
    kind: "senior-officials-meeting",
    title: "9th Senior Officials' Meeting",
    startsAt: "2023-03-16T09:00",
    endsAt: "2023-03-16T17:30",
    timeZone: "Europe/Berlin",
    venue: { city: "Berlin", country: "DE" },
    sequence: 0,
  },
};

function contact(contactId: string, memberState: string): Contact {
  return {
    contactId,
    name: `Contact ${contactId}`,
    email: `${contactId}@example.org`,
    memberState,
    roles: ["focal-point"],
    language: "en",
    timeZone: "Europe/Berlin",
    reminders: true,
    updatedAt: "2023-01-01T00:00:00Z",
  };
}

const germany = contact("de-focal-point-1", "DE");
const kenya = contact("ke-focal-point-1", "KE");
const southSudan = contact("ss-focal-point-1", "SS");

function chunk(contactIds: string[]): NoticesDue {
  return { subjectKey: SUBJECT, noticeId: NOTICE_ID, contactIds };
}

const NOW = new Date("2023-02-01T10:00:05.000Z");

function deliveryContext(options: { concurrency?: number; throttleRetries?: number } = {}) {
  const notices = new InMemoryNotices();
  notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, invitation);
  const mailer = new FakeMailer();
  const meetings = new FakeMeetings();
  const sleeps: number[] = [];
  let takes = 0;
  const context: DeliveryContext = {
    notices,
    contacts: new InMemoryContacts([germany, kenya, southSudan]),
    mailer,
    compose: (definition, recipient) => ({
      to: { name: recipient.name, address: recipient.email },
      subject: `Invitation: ${definition.meeting?.title}`,
      text: "text",
      html: "<p>html</p>",
      language: recipient.language,
      tags: { notice: definition.noticeId, contact: recipient.contactId },
    }),
    limiter: {
      take: async () => {
        takes += 1;
      },
    },
    meetings,
    now: () => NOW,
    deadline: () => NOW.getTime() + 240_000,
    maxSendMs: 30_000,
    meetingReadMaxAgeMs: 1_000,
    parallelSenders: false,
    concurrency: options.concurrency ?? 4,
    throttleRetries: options.throttleRetries ?? 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { context, notices, mailer, meetings, sleeps, takes: () => takes };
}

/** The error a promise rejects with; fails the test when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error("expected the delivery to fail");
}

const everyone = [germany.contactId, kenya.contactId, southSudan.contactId];

describe("deliverNotices", () => {
  it("sends one email per recipient and records each message id", async () => {
    // Prepare
    const { context, notices, mailer, takes } = deliveryContext();

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sentTo().sort()).toEqual([germany.email, kenya.email, southSudan.email].sort());
    expect(summary).toEqual({
      sent: 3,
      skipped: 0,
      failed: 0,
      alreadyDone: 0,
      retryLater: 0,
      ambiguous: 0,
    });
    const messageIds = everyone.map((contactId) => notices.recordOf(contactId)?.messageId);
    expect(new Set(messageIds)).toEqual(new Set(["message-1", "message-2", "message-3"]));
    expect(everyone.map((contactId) => notices.recordOf(contactId)?.status)).toEqual([
      "sent",
      "sent",
      "sent",
    ]);
    expect(takes()).toBe(3);
  });

  it("hands each email the notice's definition and the recipient", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();

    // Act
    await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(mailer.sent).toEqual([
      expect.objectContaining({
        to: { name: kenya.name, address: kenya.email },
        subject: "Invitation: 9th Senior Officials' Meeting",
        tags: { notice: NOTICE_ID, contact: kenya.contactId },
      }),
    ]);
  });

  it("sends nothing when the same chunk is delivered again", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();
    await deliverNotices(chunk(everyone), context);

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sent).toHaveLength(3);
    expect(summary).toEqual({
      sent: 0,
      skipped: 0,
      failed: 0,
      alreadyDone: 3,
      retryLater: 0,
      ambiguous: 0,
    });
  });

  it("sends once to a contact named twice in the chunk", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();

    // Act
    const summary = await deliverNotices(
      chunk([germany.contactId, germany.contactId, kenya.contactId]),
      context,
    );

    // Assess
    expect(mailer.sentTo().filter((address) => address === germany.email)).toHaveLength(1);
    expect(summary.sent).toBe(2);
  });

  it("records a removed contact as skipped, by id only, and sends it nothing", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();

    // Act
    const summary = await deliverNotices(chunk([germany.contactId, "er-removed-1"]), context);

    // Assess
    expect(mailer.sentTo()).toEqual([germany.email]);
    expect(notices.recordOf("er-removed-1")).toEqual({
      subjectKey: SUBJECT,
      noticeId: NOTICE_ID,
      contactId: "er-removed-1",
      status: "skipped",
      reason: "the contact was removed",
      updatedAt: NOW.toISOString(),
    });
    expect(summary.skipped).toBe(1);
  });

  it("records a refused address as failed with the reason, sends the others and does not throw", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    mailer.script.set(kenya.email, [new MailRejected("Address blacklisted")]);

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(notices.recordOf(kenya.contactId)).toMatchObject({
      status: "failed",
      reason: "Address blacklisted",
    });
    expect(mailer.sentTo().sort()).toEqual([germany.email, southSudan.email].sort());
    expect(mailer.attempts.filter((address) => address === kenya.email)).toHaveLength(1);
    expect(summary).toMatchObject({ sent: 2, failed: 1, retryLater: 0 });
  });

  it("does not try a refused address again when the chunk is delivered again", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();
    mailer.script.set(kenya.email, [new MailRejected("Address blacklisted")]);
    await deliverNotices(chunk([kenya.contactId]), context);

    // Act
    const summary = await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(mailer.attempts).toEqual([kenya.email]);
    expect(summary.alreadyDone).toBe(1);
  });

  it("waits and tries again when throttled, then sends once", async () => {
    // Prepare
    const { context, notices, mailer, sleeps, takes } = deliveryContext({ throttleRetries: 3 });
    mailer.script.set(germany.email, [
      new MailThrottled("Maximum sending rate exceeded"),
      new MailThrottled("Maximum sending rate exceeded"),
    ]);

    // Act
    const summary = await deliverNotices(chunk([germany.contactId]), context);

    // Assess
    expect(mailer.sentTo()).toEqual([germany.email]);
    expect(mailer.attempts).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    const [first = 0, second = 0] = sleeps;
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    expect(takes()).toBe(3);
    expect(notices.recordOf(germany.contactId)?.status).toBe("sent");
    expect(summary.sent).toBe(1);
  });

  it("releases a recipient still throttled after the retries and fails the chunk after sending the others", async () => {
    // Prepare
    const { context, notices, mailer, sleeps } = deliveryContext({ throttleRetries: 2 });
    mailer.script.set(kenya.email, [
      new MailThrottled("Maximum sending rate exceeded"),
      new MailThrottled("Maximum sending rate exceeded"),
      new MailThrottled("Maximum sending rate exceeded"),
    ]);

    // Act
    const failure = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(failure).toBeInstanceOf(NoticesIncomplete);
    expect(failure.message).toBe(
      "1 of 3 notice(s) of invitation-v0 to retry: ke-focal-point-1: MailThrottled: Maximum sending rate exceeded",
    );
    expect(mailer.sentTo().sort()).toEqual([germany.email, southSudan.email].sort());
    expect(notices.recordOf(germany.contactId)?.status).toBe("sent");
    expect(notices.recordOf(southSudan.contactId)?.status).toBe("sent");
    // Each throttled attempt gives its claim back: it was certainly not sent.
    expect(notices.released).toEqual([kenya.contactId, kenya.contactId, kenya.contactId]);
    expect(notices.recordOf(kenya.contactId)).toBeUndefined();
    expect(sleeps).toHaveLength(2);
  });

  it("sends a released recipient, and only that one, when the chunk is retried", async () => {
    // Prepare
    const { context, mailer } = deliveryContext({ throttleRetries: 0 });
    mailer.script.set(kenya.email, [new MailThrottled("Maximum sending rate exceeded")]);
    await failureOf(deliverNotices(chunk(everyone), context));
    const sentBefore = mailer.sent.length;

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sent.slice(sentBefore).map((email) => email.to.address)).toEqual([kenya.email]);
    expect(summary).toMatchObject({ sent: 1, alreadyDone: 2 });
  });

  it("releases a recipient whose send fails unexpectedly and fails the chunk", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    mailer.script.set(germany.email, [new Error("socket hang up")]);

    // Act
    const failure = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(failure).toBeInstanceOf(NoticesIncomplete);
    expect(failure.message).toContain("de-focal-point-1: Error: socket hang up");
    expect(notices.released).toEqual([germany.contactId]);
    expect(mailer.sent).toHaveLength(2);
  });

  it("leaves a recipient claimed by another invocation alone and fails the chunk", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    const claimedAt = new Date(NOW.getTime() - 5_000);
    // Held until after our own deadline: waiting for it would leave no time to send.
    await notices.claim(
      { subjectKey: SUBJECT, noticeId: NOTICE_ID, contactId: kenya.contactId },
      claimedAt,
      new Date(NOW.getTime() + 230_000),
    );

    // Act
    const failure = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(failure).toBeInstanceOf(NoticesIncomplete);
    expect(failure.message).toContain("ke-focal-point-1: being sent by another invocation");
    expect(mailer.sentTo().sort()).toEqual([germany.email, southSudan.email].sort());
    expect(notices.recordOf(kenya.contactId)?.claimedAt).toBe(claimedAt.toISOString());
  });

  it("takes over a claim older than the lease (its sender died) and sends", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    await notices.claim(
      { subjectKey: SUBJECT, noticeId: NOTICE_ID, contactId: kenya.contactId },
      new Date(NOW.getTime() - 30_001),
      new Date(NOW.getTime() - 1),
    );

    // Act
    const summary = await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(mailer.sentTo()).toEqual([kenya.email]);
    expect(summary.sent).toBe(1);
  });

  it("throws UnknownNotice and sends nothing for a notice never defined", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();

    // Act
    const failure = await failureOf(
      deliverNotices({ subjectKey: SUBJECT, noticeId: "update-v7", contactIds: everyone }, context),
    );

    // Assess
    expect(failure).toBeInstanceOf(UnknownNotice);
    expect(failure.message).toBe("No notice update-v7 of MEETING#som-9-berlin-2023");
    expect(mailer.attempts).toEqual([]);
  });

  it.each([1, 2, 5])("never has more than %i email(s) in flight", async (concurrency) => {
    // Prepare
    const { context, mailer } = deliveryContext({ concurrency });
    const many = Array.from({ length: 12 }, (_, index) =>
      contact(`de-contact-${index + 10}`, "DE"),
    );
    context.contacts = new InMemoryContacts(many);

    // Act
    await deliverNotices(chunk(many.map((item) => item.contactId)), context);

    // Assess
    expect(mailer.sent).toHaveLength(12);
    expect(mailer.maxInFlight).toBe(concurrency);
  });
});

describe("tokenBucket", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never waits when the rate is 0 (unlimited)", async () => {
    // Prepare
    vi.useFakeTimers({ now: 0 });
    const limiter = tokenBucket(0, () => Date.now());
    let granted = 0;

    // Act
    const takes = Array.from({ length: 1000 }, () =>
      limiter.take().then(() => {
        granted += 1;
      }),
    );
    await Promise.all(takes);

    // Assess
    expect(granted).toBe(1000);
    expect(vi.getTimerCount()).toBe(0);
    expect(Date.now()).toBe(0);
  });

  it("spaces takes 10 ms apart at 100 a second", async () => {
    // Prepare
    vi.useFakeTimers({ now: 0 });
    const limiter = tokenBucket(100, () => Date.now());
    const grantedAt: number[] = [];

    // Act
    for (let index = 0; index < 50; index += 1) {
      void limiter.take().then(() => grantedAt.push(Date.now()));
    }
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(grantedAt).toEqual(Array.from({ length: 50 }, (_, index) => index * 10));
  });

  it("lets no take through before its turn", async () => {
    // Prepare
    vi.useFakeTimers({ now: 0 });
    const limiter = tokenBucket(100, () => Date.now());
    let granted = 0;
    for (let index = 0; index < 50; index += 1) {
      void limiter.take().then(() => {
        granted += 1;
      });
    }

    // Act
    await vi.advanceTimersByTimeAsync(245);

    // Assess
    expect(granted).toBe(25);
  });

  it("does not wait after an idle time longer than the interval", async () => {
    // Prepare
    vi.useFakeTimers({ now: 0 });
    const limiter = tokenBucket(100, () => Date.now());
    await limiter.take();
    await vi.advanceTimersByTimeAsync(500);

    // Act
    const grantedAt: number[] = [];
    void limiter.take().then(() => grantedAt.push(Date.now()));
    void limiter.take().then(() => grantedAt.push(Date.now()));
    await vi.advanceTimersByTimeAsync(100);

    // Assess
    expect(grantedAt).toEqual([500, 510]);
  });
});

describe("deliverNotices when recording or composing fails", () => {
  it("keeps the claim of a sent notice whose record could not be updated, so a retry does not send it again", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    const markSent = notices.markSent.bind(notices);
    notices.markSent = async (key, messageId, now) => {
      if (key.contactId === kenya.contactId) throw new Error("ProvisionedThroughputExceeded");
      return markSent(key, messageId, now);
    };

    // Act
    const error = await failureOf(deliverNotices(chunk(everyone), context));
    await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(error.name).toBe("NoticesIncomplete");
    expect(error.message).toContain("sent as message-");
    expect(mailer.sentTo().filter((address) => address === kenya.email)).toHaveLength(1);
    expect(notices.recordOf(kenya.contactId)?.status).toBe("sending");
    expect(notices.released).not.toContain(kenya.contactId);
  });

  it("releases a recipient whose email cannot be composed, sends the others and fails the chunk", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    const compose = context.compose;
    context.compose = (definition, recipient) => {
      if (recipient.contactId === germany.contactId) throw new RangeError("Invalid time value");
      return compose(definition, recipient);
    };

    // Act
    const error = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(error.name).toBe("NoticesIncomplete");
    expect(error.message).toContain("RangeError: Invalid time value");
    expect(mailer.sentTo().sort()).toEqual([kenya.email, southSudan.email].sort());
    expect(notices.recordOf(germany.contactId)).toBeUndefined();
    expect(notices.released).toContain(germany.contactId);
  });
});

describe("withoutAddresses", () => {
  it("keeps no recipient address from a provider's refusal in the record", () => {
    // Act
    const reason = withoutAddresses(
      "MessageRejected: Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: erika.m@example.de, <nour@example.eg>",
    );

    // Assess
    expect(reason).toBe(
      "MessageRejected: Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: <address>, <<address>>",
    );
  });
});

function cancellationOf(storedAt: string): NoticeDefinition {
  return {
    ...invitation,
    noticeId: "cancellation-v1",
    kind: "cancellation",
    storedAt,
    meeting: { ...(invitation.meeting as NonNullable<NoticeDefinition["meeting"]>), sequence: 1 },
  };
}

describe("deliverNotices and stale notices", () => {
  it("skips an invitation that a reschedule superseded, naming the update, and sends nothing", async () => {
    // Prepare
    const { context, notices, mailer, meetings } = deliveryContext();
    meetings.state = { status: "scheduled", sequence: 2 };

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.attempts).toEqual([]);
    expect(summary.skipped).toBe(3);
    expect(notices.recordOf(germany.contactId)).toMatchObject({
      status: "skipped",
      reason: "superseded by update-v2",
    });
  });

  it("sends no reminder of a cancelled meeting", async () => {
    // Prepare
    const { context, notices, mailer, meetings } = deliveryContext();
    const reminder: NoticeDefinition = { ...invitation, kind: "reminder", reminderOffset: "P2D" };
    notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, reminder);
    meetings.state = { status: "cancelled", sequence: 1 };

    // Act
    await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(mailer.attempts).toEqual([]);
    expect(notices.recordOf(kenya.contactId)?.reason).toBe("superseded by cancellation-v1");
  });

  it("sends the cancellation of a cancelled meeting", async () => {
    // Prepare
    const { context, notices, mailer, meetings } = deliveryContext();
    notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, cancellationOf(NOW.toISOString()));
    meetings.state = { status: "cancelled", sequence: 1 };

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sent).toHaveLength(3);
    expect(summary.sent).toBe(3);
  });

  it("reads the meeting again once its read is a second old, and skips the rest after a cancellation", async () => {
    // Prepare
    const { context, notices, mailer, meetings } = deliveryContext({ concurrency: 1 });
    let clock = NOW.getTime();
    context.now = () => new Date(clock);
    const send = mailer.send.bind(mailer);
    mailer.send = async (email) => {
      const messageId = await send(email);
      // Each send takes 600 ms; the meeting is cancelled right after the first.
      clock += 600;
      meetings.state = { status: "cancelled", sequence: 1 };
      return messageId;
    };

    // Act
    await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sentTo()).toEqual([germany.email, kenya.email]);
    expect(notices.recordOf(southSudan.contactId)?.reason).toBe("superseded by cancellation-v1");
    expect(meetings.reads).toBe(2);
  });

  it("with parallel senders, waits before a cancellation's first send until every older send has ended", async () => {
    // Prepare
    const { context, notices, mailer, sleeps } = deliveryContext();
    context.parallelSenders = true;
    const storedAt = new Date(NOW.getTime() - 4_000);
    notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, cancellationOf(storedAt.toISOString()));

    // Act
    await deliverNotices(chunk([germany.contactId]), context);

    // Assess: stored 4 s ago; an older send read the meeting at most 1 s before its claim and
    // ends at most 30 s after it.
    expect(sleeps).toEqual([27_000]);
    expect(mailer.sent).toHaveLength(1);
  });

  it("with one sender at a time, sends a cancellation at once", async () => {
    // Prepare
    const { context, notices, sleeps } = deliveryContext();
    notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, cancellationOf(NOW.toISOString()));

    // Act
    await deliverNotices(chunk([germany.contactId]), context);

    // Assess
    expect(sleeps).toEqual([]);
  });

  it("never sends a REQUEST after the CANCEL of the same meeting when two senders race", async () => {
    // Prepare: one sender sends the invitation; the meeting is cancelled after its first send,
    // and a second sender starts on the cancellation at once.
    const { context, notices, mailer, meetings } = deliveryContext({ concurrency: 1 });
    let clock = NOW.getTime();
    const shared = {
      ...context,
      parallelSenders: true,
      now: () => new Date(clock),
      sleep: async (ms: number) => {
        clock += ms;
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    };
    const order: string[] = [];
    let cancelling: Promise<unknown> | undefined;
    const send = mailer.send.bind(mailer);
    mailer.send = async (email) => {
      const messageId = await send(email);
      clock += 100;
      order.push(
        `${email.subject.startsWith("Invitation") ? "REQUEST" : "CANCEL"} ${email.to.address}`,
      );
      if (cancelling === undefined) {
        meetings.state = { status: "cancelled", sequence: 1 };
        notices.definitions.set(`${SUBJECT}|cancellation-v1`, {
          ...cancellationOf(new Date(clock).toISOString()),
        });
        cancelling = deliverNotices(
          { subjectKey: SUBJECT, noticeId: "cancellation-v1", contactIds: everyone },
          { ...shared, compose: (d, c) => ({ ...context.compose(d, c), subject: "Cancelled" }) },
        );
      }
      return messageId;
    };

    // Act
    await deliverNotices(chunk(everyone), shared);
    await cancelling;

    // Assess
    for (const address of [germany.email, kenya.email, southSudan.email]) {
      const cancel = order.indexOf(`CANCEL ${address}`);
      const request = order.indexOf(`REQUEST ${address}`);
      expect(cancel).toBeGreaterThanOrEqual(0);
      expect(request === -1 || request < cancel).toBe(true);
    }
  });
});

describe("deliverNotices and the audience", () => {
  it("skips a contact outside the notice's audience, whatever the chunk names", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    notices.definitions.set(`${SUBJECT}|${NOTICE_ID}`, {
      ...invitation,
      audience: { countries: ["DE", "SS"] },
    });

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sentTo().sort()).toEqual([germany.email, southSudan.email].sort());
    expect(notices.recordOf(kenya.contactId)).toMatchObject({
      status: "skipped",
      reason: "not in the notice's audience",
    });
    expect(summary.skipped).toBe(1);
  });

  it("sends to every named contact of a notice stored without an audience", async () => {
    // Prepare
    const { context, mailer } = deliveryContext();

    // Act
    await deliverNotices(chunk(everyone), context);

    // Assess
    expect(mailer.sent).toHaveLength(3);
  });
});

describe("deliverNotices and the lease", () => {
  it("ends a claim's lease one send after the claim when the deadline is further", async () => {
    // Prepare
    const { context, notices } = deliveryContext();

    // Act
    await deliverNotices(chunk([germany.contactId]), context);

    // Assess
    expect(notices.leases).toEqual([30_000]);
  });

  it("ends a claim's lease at the invocation's deadline, asked when the claim is taken", async () => {
    // Prepare
    const { context, notices } = deliveryContext({ concurrency: 1 });
    let left = 12_000;
    context.deadline = () => {
      left -= 4_000;
      return NOW.getTime() + left;
    };

    // Act
    await deliverNotices(chunk([germany.contactId, kenya.contactId]), context);

    // Assess
    expect(notices.leases).toEqual([8_000, 4_000]);
  });

  it("waits for another sender's claim that ends before its own deadline, then takes it over and sends", async () => {
    // Prepare
    const { context, notices, mailer, sleeps } = deliveryContext();
    let clock = NOW.getTime();
    context.now = () => new Date(clock);
    context.sleep = async (ms) => {
      sleeps.push(ms);
      clock += ms;
    };
    await notices.claim(
      { subjectKey: SUBJECT, noticeId: NOTICE_ID, contactId: kenya.contactId },
      new Date(clock - 5_000),
      new Date(clock + 25_000),
    );

    // Act
    const summary = await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(sleeps).toEqual([25_010]);
    expect(mailer.sentTo()).toEqual([kenya.email]);
    expect(summary.sent).toBe(1);
  });
});

describe("deliverNotices when the outcome of a send is unknown", () => {
  it("keeps the claim with the reason and its lease ended, counts it and fails the chunk, without giving the claim back", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    mailer.script.set(kenya.email, [new MailOutcomeUnknown("TimeoutError: request timed out")]);

    // Act
    const failure = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(failure).toBeInstanceOf(NoticesIncomplete);
    expect(failure.message).toContain(
      "ke-focal-point-1: outcome unknown, sent again by the next attempt",
    );
    expect(notices.released).toEqual([]);
    expect(notices.recordOf(kenya.contactId)).toMatchObject({
      status: "sending",
      ambiguousAt: NOW.toISOString(),
      ambiguousReason: "MailOutcomeUnknown: TimeoutError: request timed out",
      leaseUntil: NOW.toISOString(),
    });
  });

  it("sends the notice again on the next attempt, without waiting for a lease (at least once, never dropped)", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    mailer.script.set(kenya.email, [new MailOutcomeUnknown("HTTP 500")]);
    await failureOf(deliverNotices(chunk([kenya.contactId]), context));
    context.now = () => new Date(NOW.getTime() + 1);

    // Act
    const summary = await deliverNotices(chunk([kenya.contactId]), context);

    // Assess
    expect(mailer.attempts).toEqual([kenya.email, kenya.email]);
    expect(summary.sent).toBe(1);
    expect(notices.recordOf(kenya.contactId)?.status).toBe("sent");
  });
});

describe("deliverNotices while SES fails every send", () => {
  it("stops trying the rest of the chunk after FAILURES_BEFORE_HOLDING_BACK failures in a row, claiming none of it", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext({ concurrency: 1 });
    const many = Array.from({ length: 10 }, (_, index) => contact(`de-delegate-${index}`, "DE"));
    context.contacts = new InMemoryContacts(many);
    for (const recipient of many) {
      mailer.script.set(recipient.email, [new MailOutcomeUnknown("HTTP 500 InternalFailure")]);
    }

    // Act
    const failure = await failureOf(
      deliverNotices(chunk(many.map((recipient) => recipient.contactId)), context),
    );

    // Assess
    expect(mailer.attempts).toHaveLength(FAILURES_BEFORE_HOLDING_BACK);
    expect(failure.message).toContain("10 of 10 notice(s)");
    expect(failure.message).toContain(
      `not tried: SES failed ${FAILURES_BEFORE_HOLDING_BACK} times in a row`,
    );
    const untried = many.slice(FAILURES_BEFORE_HOLDING_BACK);
    for (const recipient of untried) {
      expect(notices.recordOf(recipient.contactId)).toBeUndefined();
    }
  });

  it("counts only failures in a row: a send that goes through starts the count again", async () => {
    // Prepare
    const { context, mailer } = deliveryContext({ concurrency: 1 });
    const many = Array.from({ length: 6 }, (_, index) => contact(`de-delegate-${index}`, "DE"));
    context.contacts = new InMemoryContacts(many);
    for (const index of [0, 1, 3, 4]) {
      mailer.script.set(many[index]?.email ?? "", [new MailOutcomeUnknown("HTTP 503")]);
    }

    // Act
    const failure = await failureOf(
      deliverNotices(chunk(many.map((recipient) => recipient.contactId)), context),
    );

    // Assess
    expect(mailer.attempts).toHaveLength(6);
    expect(mailer.sentTo()).toEqual([many[2]?.email, many[5]?.email]);
    expect(failure.message).toContain("4 of 6 notice(s)");
  });
});

describe("deliverNotices near its deadline", () => {
  it("takes no claim once less than MIN_TIME_TO_SEND_MS is left, and fails the chunk for its retry", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    context.deadline = () => NOW.getTime() + MIN_TIME_TO_SEND_MS - 1;

    // Act
    const failure = await failureOf(deliverNotices(chunk(everyone), context));

    // Assess
    expect(mailer.attempts).toEqual([]);
    expect(failure.message).toContain("3 of 3 notice(s)");
    expect(failure.message).toContain("not tried: the invocation's time is up");
    for (const contactId of everyone) expect(notices.recordOf(contactId)).toBeUndefined();
  });

  it("still sends with MIN_TIME_TO_SEND_MS left, its claims ending at the deadline", async () => {
    // Prepare
    const { context, notices, mailer } = deliveryContext();
    context.deadline = () => NOW.getTime() + MIN_TIME_TO_SEND_MS;

    // Act
    const summary = await deliverNotices(chunk(everyone), context);

    // Assess
    expect(summary.sent).toBe(3);
    expect(mailer.sentTo()).toHaveLength(3);
    expect(notices.leases).toEqual([MIN_TIME_TO_SEND_MS, MIN_TIME_TO_SEND_MS, MIN_TIME_TO_SEND_MS]);
  });
});
