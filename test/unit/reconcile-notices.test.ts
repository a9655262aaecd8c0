import { describe, expect, it } from "vitest";
import {
  type NoticeDefinition,
  type NoticePublisher,
  type NoticeRecord,
  type NoticeRepository,
  type NoticesDue,
  notify,
  type RecipientKey,
} from "../../shared/domain/notices.js";
import { type OpenNotices, reconcileNotices } from "../../shared/domain/reconcile-notices.js";

const SUBJECT = "MEETING#thematic-2027";
const DEFINED_AT = "2027-01-10T09:00:00.000Z";
const definition: NoticeDefinition = {
  subjectKey: SUBJECT,
  noticeId: "invitation-v0",
  kind: "invitation",
  definedAt: DEFINED_AT,
  recipientCount: 4,
};

/** The open notices, their chunks and records, as the table's conditions define them. */
class InMemoryOpenNotices implements OpenNotices {
  readonly open = new Map<string, NoticeDefinition>();
  readonly chunks = new Map<string, string[][]>();
  readonly records = new Map<string, NoticeRecord>();
  readonly closed: string[] = [];

  add(notice: NoticeDefinition, chunks: string[][]): void {
    this.open.set(notice.noticeId, notice);
    this.chunks.set(notice.noticeId, chunks);
  }

  record(contactId: string, status: NoticeRecord["status"], leaseUntil?: string): void {
    this.records.set(contactId, {
      subjectKey: SUBJECT,
      noticeId: "invitation-v0",
      contactId,
      status,
      updatedAt: DEFINED_AT,
      ...(leaseUntil === undefined ? {} : { leaseUntil }),
    });
  }

  async listOpen(definedBefore: Date) {
    return [...this.open.values()].filter((item) => new Date(item.definedAt) < definedBefore);
  }

  async recipientChunks(_subject: string, noticeId: string) {
    return this.chunks.get(noticeId) ?? [];
  }

  async noticeRecords() {
    return [...this.records.values()];
  }

  async giveUp(key: RecipientKey, reason: string, now: Date) {
    const stored = this.records.get(key.contactId);
    if (stored !== undefined && stored.status !== "sending") return;
    if (stored?.leaseUntil !== undefined && new Date(stored.leaseUntil) >= now) return;
    this.records.set(key.contactId, {
      ...key,
      status: "failed",
      reason,
      updatedAt: now.toISOString(),
    });
  }

  async close(_subject: string, noticeId: string) {
    this.open.delete(noticeId);
    this.closed.push(noticeId);
  }
}

class RecordingPublisher implements NoticePublisher {
  readonly published: NoticesDue[] = [];

  async publish(batches: NoticesDue[]): Promise<void> {
    this.published.push(...batches);
  }
}

function reconcileContext(now: string) {
  const notices = new InMemoryOpenNotices();
  const publisher = new RecordingPublisher();
  return {
    notices,
    publisher,
    context: {
      notices,
      publisher,
      now: new Date(now),
      reconcileAfterMs: 10 * 60_000,
      giveUpAfterMs: 24 * 3_600_000,
    },
  };
}

describe("reconcileNotices", () => {
  it("hands only the recipients without a final record to the sender again, chunk by chunk", async () => {
    // Prepare
    const { notices, publisher, context } = reconcileContext("2027-01-10T09:15:00.000Z");
    notices.add(definition, [
      ["a-1", "a-2"],
      ["a-3", "a-4"],
    ]);
    notices.record("a-1", "sent");
    notices.record("a-3", "skipped");

    // Act
    const summary = await reconcileNotices(context);

    // Assess
    expect(publisher.published).toEqual([
      { subjectKey: SUBJECT, noticeId: "invitation-v0", contactIds: ["a-2"] },
      { subjectKey: SUBJECT, noticeId: "invitation-v0", contactIds: ["a-4"] },
    ]);
    expect(summary).toMatchObject({ checked: 1, resent: 2, closed: 0 });
    expect(notices.open.has("invitation-v0")).toBe(true);
  });

  it("counts a claim whose lease has ended as not sent, and leaves a live one to its sender", async () => {
    // Prepare
    const { notices, publisher, context } = reconcileContext("2027-01-10T09:15:00.000Z");
    notices.add(definition, [["a-1", "a-2"]]);
    notices.record("a-1", "sending", "2027-01-10T09:01:00.000Z");
    notices.record("a-2", "sending", "2027-01-10T09:15:20.000Z");

    // Act
    await reconcileNotices(context);

    // Assess
    expect(publisher.published.map((batch) => batch.contactIds)).toEqual([["a-1"]]);
  });

  it("leaves a notice alone until it is older than the reconcile time", async () => {
    // Prepare
    const { notices, publisher, context } = reconcileContext("2027-01-10T09:05:00.000Z");
    notices.add(definition, [["a-1"]]);

    // Act
    const summary = await reconcileNotices(context);

    // Assess
    expect(summary.checked).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it("closes a notice whose every recipient has a final record, and sends nothing", async () => {
    // Prepare
    const { notices, publisher, context } = reconcileContext("2027-01-10T09:15:00.000Z");
    notices.add(definition, [["a-1", "a-2"]]);
    notices.record("a-1", "sent");
    notices.record("a-2", "failed");

    // Act
    const summary = await reconcileNotices(context);

    // Assess
    expect(notices.closed).toEqual(["invitation-v0"]);
    expect(publisher.published).toEqual([]);
    expect(summary.closed).toBe(1);
  });

  it("gives up after the give-up time: remaining recipients failed with the reason, notice closed", async () => {
    // Prepare
    const { notices, publisher, context } = reconcileContext("2027-01-11T09:00:00.000Z");
    notices.add(definition, [["a-1", "a-2", "a-3"]]);
    notices.record("a-1", "sent");

    // Act
    const summary = await reconcileNotices(context);

    // Assess
    expect(publisher.published).toEqual([]);
    expect(notices.records.get("a-2")).toMatchObject({
      status: "failed",
      reason: `gave up after 24 h: not sent since the notice was defined at ${DEFINED_AT}`,
    });
    expect(notices.records.get("a-3")?.status).toBe("failed");
    expect(notices.records.get("a-1")?.status).toBe("sent");
    expect(notices.closed).toEqual(["invitation-v0"]);
    expect(summary.gaveUp).toEqual([
      { subjectKey: SUBJECT, noticeId: "invitation-v0", definedAt: DEFINED_AT, recipients: 2 },
    ]);
  });

  it("keeps a notice whose recipients were never recorded open until it gives up on all of them", async () => {
    // Prepare
    const { notices, context } = reconcileContext("2027-01-10T09:15:00.000Z");
    notices.add(definition, []);

    // Act
    const early = await reconcileNotices(context);
    const late = await reconcileNotices({ ...context, now: new Date("2027-01-11T10:00:00.000Z") });

    // Assess
    expect(early.closed).toBe(0);
    expect(late.gaveUp).toEqual([expect.objectContaining({ recipients: 4 })]);
  });
});

describe("notify", () => {
  it("stores the recipients chunk by chunk with the definition, before publishing them", async () => {
    // Prepare
    const events: string[] = [];
    let chunks: readonly (readonly string[])[] = [];
    const notices = {
      async define(stored: NoticeDefinition, recipientChunks?: readonly (readonly string[])[]) {
        events.push("define");
        chunks = recipientChunks ?? [];
        return stored;
      },
    } as unknown as NoticeRepository;
    const publisher: NoticePublisher = {
      async publish() {
        events.push("publish");
      },
    };
    const recipients = ["a-1", "a-2", "a-3"].map((contactId) => ({ contactId }));

    // Act
    await notify(definition, recipients, { notices, publisher, chunkSize: 2 });

    // Assess
    expect(events).toEqual(["define", "publish"]);
    expect(chunks).toEqual([["a-1", "a-2"], ["a-3"]]);
  });
});
