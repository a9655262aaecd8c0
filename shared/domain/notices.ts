import type { Contact } from "./contacts.js";

export type NoticeKind =
  | "invitation"
  | "update"
  | "cancellation"
  | "reminder"
  | "chair-handover"
  | "chair-designation";

/** A meeting as one notice describes it (the meeting may change later; the notice does not). */
export interface MeetingSnapshot {
  meetingId: string;
  kind: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: { city: string; country: string; name?: string };
  description?: string;
  agendaUrl?: string;
  /** The iCalendar SEQUENCE: 0 on invitation, raised by each change. */
  sequence: number;
  reason?: string;
}

export interface ChairSnapshot {
  from?: string;
  to: string;
  effectiveOn?: string;
  meetingTitle?: string;
  takesOfficeOn?: string;
}

/** What is sent, once, to each recipient: the content is fixed when the notice is defined. */
export interface NoticeDefinition {
  /** "MEETING#<meetingId>" or "CHAIR": whose notices these are. */
  subjectKey: string;
  /** Unique within the subject: "invitation-v0", "update-v2", "reminder-P14D-v1", ... */
  noticeId: string;
  kind: NoticeKind;
  definedAt: string;
  recipientCount: number;
  meeting?: MeetingSnapshot;
  chair?: ChairSnapshot;
  reminderOffset?: string;
}

export type NoticeStatus = "sending" | "sent" | "failed" | "skipped";

/** The outbox: one record per recipient and notice. It names the contact by id only. */
export interface NoticeRecord {
  subjectKey: string;
  noticeId: string;
  contactId: string;
  status: NoticeStatus;
  messageId?: string;
  reason?: string;
  claimedAt?: string;
  updatedAt: string;
  /** How far it got after SES accepted it (from SES's events). */
  delivery?: string;
  deliveryAt?: string;
  deliveryDetail?: string;
}

export type ClaimOutcome = "claimed" | "done" | "busy";

export interface NoticeRepository {
  /** Stores the definition unless one exists; answers the stored one either way. */
  define(definition: NoticeDefinition): Promise<NoticeDefinition>;
  getDefinition(subjectKey: string, noticeId: string): Promise<NoticeDefinition | undefined>;
  /**
   * Takes the right to send one notice to one contact for `leaseMs` (until the claimer's own
   * deadline): granted when no record exists, or when an earlier claim's lease has ended (its
   * sender died or timed out). "done": sent, skipped or failed.
   */
  claim(key: RecipientKey, now: Date, leaseMs: number): Promise<ClaimOutcome>;
  markSent(key: RecipientKey, messageId: string, now: Date): Promise<void>;
  markFailed(key: RecipientKey, reason: string, now: Date): Promise<void>;
  /** Records a notice deliberately not sent, unless a record exists. */
  markSkipped(key: RecipientKey, reason: string, now: Date): Promise<void>;
  /** Gives a claim back so that a retry sends the notice. */
  release(key: RecipientKey): Promise<void>;
  listRecords(subjectKey: string): Promise<NoticeRecord[]>;
  listDefinitions(subjectKey: string): Promise<NoticeDefinition[]>;
}

export interface RecipientKey {
  subjectKey: string;
  noticeId: string;
  contactId: string;
}

/** A chunk of recipients for the sender: what one "Notices Due" event carries. */
export interface NoticesDue {
  subjectKey: string;
  noticeId: string;
  contactIds: string[];
}

export interface NoticePublisher {
  publish(batches: NoticesDue[]): Promise<void>;
}

/**
 * Defines a notice and hands its recipients to the sender in chunks.
 * 1. store the definition (or take the one stored by an earlier try: the content stays fixed);
 * 2. split the recipients into chunks one sender invocation can send well within its timeout;
 * 3. publish one "Notices Due" per chunk. A retry publishes again; the outbox makes that harmless.
 */
export async function notify(
  definition: NoticeDefinition,
  recipients: readonly Pick<Contact, "contactId">[],
  context: { notices: NoticeRepository; publisher: NoticePublisher; chunkSize: number },
): Promise<NoticeDefinition> {
  const stored = await context.notices.define({ ...definition, recipientCount: recipients.length });
  const contactIds = recipients.map((recipient) => recipient.contactId);
  const batches: NoticesDue[] = [];
  for (let start = 0; start < contactIds.length; start += context.chunkSize) {
    batches.push({
      subjectKey: stored.subjectKey,
      noticeId: stored.noticeId,
      contactIds: contactIds.slice(start, start + context.chunkSize),
    });
  }
  await context.publisher.publish(batches);
  return stored;
}
