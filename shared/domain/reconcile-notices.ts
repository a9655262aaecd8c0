import type {
  NoticeDefinition,
  NoticePublisher,
  NoticeRecord,
  NoticesDue,
  RecipientKey,
} from "./notices.js";

/** The notices not yet known to be complete, and what the reconciler needs of each. */
export interface OpenNotices {
  /** Open notices defined before `definedBefore`, oldest first. */
  listOpen(definedBefore: Date): Promise<NoticeDefinition[]>;
  /** The recipients as handed to the sender, chunk by chunk. */
  recipientChunks(subjectKey: string, noticeId: string): Promise<string[][]>;
  /** The notice's outbox records (a consistent read). */
  noticeRecords(subjectKey: string, noticeId: string): Promise<NoticeRecord[]>;
  /** Records the notice as failed for the recipient, unless it was sent or a live claim holds it. */
  giveUp(key: RecipientKey, reason: string, now: Date): Promise<void>;
  /** Takes the notice off the list of open ones. */
  close(subjectKey: string, noticeId: string, now: Date): Promise<void>;
}

export interface ReconcileContext {
  notices: OpenNotices;
  publisher: NoticePublisher;
  /** The schedule event's time (the local runtime's clock moves it). */
  now: Date;
  /** A notice is left to the sender (and Lambda's retries) this long after it was defined. */
  reconcileAfterMs: number;
  /** After this long, what is still not sent is recorded as failed and the notice closed. */
  giveUpAfterMs: number;
}

export interface GivenUp {
  subjectKey: string;
  noticeId: string;
  definedAt: string;
  recipients: number;
}

export interface ReconcileSummary {
  /** Open notices looked at. */
  checked: number;
  /** Recipients handed to the sender again. */
  resent: number;
  closed: number;
  gaveUp: GivenUp[];
}

const FINAL = new Set(["sent", "failed", "skipped"]);

/** Whether a recipient still needs a send, is being sent now, or is done for good. */
function recipientState(record: NoticeRecord | undefined, now: Date) {
  if (record === undefined) return "missing";
  if (FINAL.has(record.status)) return "final";
  // A claim whose lease ended belongs to a sender that died or did not learn the outcome.
  if (record.leaseUntil === undefined || new Date(record.leaseUntil) < now) return "missing";
  return "in-flight";
}

function hours(ms: number): string {
  const value = ms / 3_600_000;
  return Number.isInteger(value) ? `${value} h` : `${value.toFixed(1)} h`;
}

/**
 * The self-healing sweep (a schedule): for each open notice defined at least
 * `reconcileAfterMs` ago,
 * 1. compare its recipients (the stored chunks) with its outbox records: a recipient with no
 *    record, or with a claim whose lease ended, was never sent (a chunk in a dead-letter queue,
 *    an SES outage, a sender that died);
 * 2. every recipient final (sent, skipped, failed): close the notice;
 * 3. older than `giveUpAfterMs`: record each remaining recipient as failed, with the reason, and
 *    close it (the caller logs and counts it);
 * 4. otherwise hand the missing recipients to the sender again, chunk by chunk, as Notices Due:
 *    the outbox keeps it exact (nothing sent is sent again).
 */
export async function reconcileNotices(context: ReconcileContext): Promise<ReconcileSummary> {
  const { now } = context;
  const open = await context.notices.listOpen(new Date(now.getTime() - context.reconcileAfterMs));
  const summary: ReconcileSummary = { checked: open.length, resent: 0, closed: 0, gaveUp: [] };
  for (const definition of open) {
    const { subjectKey, noticeId } = definition;
    const [chunks, records] = await Promise.all([
      context.notices.recipientChunks(subjectKey, noticeId),
      context.notices.noticeRecords(subjectKey, noticeId),
    ]);
    const byContact = new Map(records.map((record) => [record.contactId, record]));
    const pending = chunks
      .map((chunk) =>
        [...new Set(chunk)].filter(
          (contactId) => recipientState(byContact.get(contactId), now) !== "final",
        ),
      )
      .filter((chunk) => chunk.length > 0);
    const unrecorded = chunks.length === 0 && definition.recipientCount > 0;
    if (pending.length === 0 && !unrecorded) {
      await context.notices.close(subjectKey, noticeId, now);
      summary.closed += 1;
      continue;
    }
    const age = now.getTime() - new Date(definition.definedAt).getTime();
    if (age >= context.giveUpAfterMs) {
      const reason = `gave up after ${hours(context.giveUpAfterMs)}: not sent since the notice was defined at ${definition.definedAt}`;
      const remaining = pending.flat();
      for (const contactId of remaining) {
        await context.notices.giveUp({ subjectKey, noticeId, contactId }, reason, now);
      }
      await context.notices.close(subjectKey, noticeId, now);
      summary.closed += 1;
      summary.gaveUp.push({
        subjectKey,
        noticeId,
        definedAt: definition.definedAt,
        // Recipients never recorded cannot be named: count them all.
        recipients: unrecorded ? definition.recipientCount : remaining.length,
      });
      continue;
    }
    const missing = pending
      .map((chunk) =>
        chunk.filter((contactId) => recipientState(byContact.get(contactId), now) === "missing"),
      )
      .filter((chunk) => chunk.length > 0);
    if (missing.length === 0) continue;
    const batches: NoticesDue[] = missing.map((contactIds) => ({
      subjectKey,
      noticeId,
      contactIds,
    }));
    await context.publisher.publish(batches);
    summary.resent += missing.reduce((total, chunk) => total + chunk.length, 0);
  }
  return summary;
}
