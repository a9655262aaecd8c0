import type { Audience } from "../contract/index.js";
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
  /** On an update: where and when the meeting was before this change, to say what changed. */
  previous?: MeetingPlace;
}

/** When and where a meeting takes place. */
export interface MeetingPlace {
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: { city: string; country: string; name?: string };
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
  /**
   * Whom the notice is for: the sender sends to no contact outside it, whatever a Notices Due
   * names. Absent on definitions stored before it was kept: then every named contact is sent to.
   */
  audience?: Audience;
  /** When the definition was first stored (the adapter's clock, not the event's time). */
  storedAt?: string;
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
  /** While `sending`: when the claim's lease ends and another sender may take it over. */
  leaseUntil?: string;
  /** A send whose outcome was unknown (a timeout, a 5xx): it may have gone out. */
  ambiguousAt?: string;
  ambiguousReason?: string;
  updatedAt: string;
  /** How far it got after SES accepted it (from SES's events). */
  delivery?: string;
  deliveryAt?: string;
  deliveryDetail?: string;
}

/** "done": sent, skipped or failed; "busy": another sender holds it until `leaseUntil`. */
export type ClaimOutcome =
  | { status: "claimed" }
  | { status: "done" }
  | { status: "busy"; leaseUntil: Date };

export interface NoticeRepository {
  /**
   * Stores the definition unless one exists, and answers the stored one either way. The
   * recipients, as handed to the sender chunk by chunk, are kept too (one item per chunk), and
   * the notice is listed as open until every recipient has a final record: the reconciler's way
   * to find what was never sent without a scan.
   */
  define(
    definition: NoticeDefinition,
    recipientChunks?: readonly (readonly string[])[],
  ): Promise<NoticeDefinition>;
  getDefinition(subjectKey: string, noticeId: string): Promise<NoticeDefinition | undefined>;
  /**
   * Takes the right to send one notice to one contact until `leaseUntil` (never after the
   * claimer's own deadline): granted when no record exists, or when an earlier claim's lease has
   * ended (its sender died, timed out, or did not learn whether SES took the message).
   */
  claim(key: RecipientKey, now: Date, leaseUntil: Date): Promise<ClaimOutcome>;
  markSent(key: RecipientKey, messageId: string, now: Date): Promise<void>;
  markFailed(key: RecipientKey, reason: string, now: Date): Promise<void>;
  /** Records a notice deliberately not sent, unless a record exists. */
  markSkipped(key: RecipientKey, reason: string, now: Date): Promise<void>;
  /** Gives a claim back so that a retry sends the notice. */
  release(key: RecipientKey): Promise<void>;
  listRecords(subjectKey: string): Promise<NoticeRecord[]>;
  listDefinitions(subjectKey: string): Promise<NoticeDefinition[]>;
}

/** The sender's view of the outbox. */
export interface Outbox extends NoticeRepository {
  /**
   * Notes on a claim that its send's outcome is unknown (it may have gone out) and ends its lease
   * (the send is over): the chunk's retry or the reconciler sends the notice again.
   */
  markAmbiguous(key: RecipientKey, reason: string, now: Date): Promise<void>;
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
 * 1. split the recipients into chunks one sender invocation can send well within its timeout;
 * 2. store the definition (or take the one stored by an earlier try: the content stays fixed)
 *    with the chunks, so the reconciler can find any recipient a lost chunk never reached;
 * 3. publish one "Notices Due" per chunk. A retry publishes again; the outbox makes that harmless.
 */
export async function notify(
  definition: NoticeDefinition,
  recipients: readonly Pick<Contact, "contactId">[],
  context: { notices: NoticeRepository; publisher: NoticePublisher; chunkSize: number },
): Promise<NoticeDefinition> {
  const contactIds = recipients.map((recipient) => recipient.contactId);
  const chunks: string[][] = [];
  for (let start = 0; start < contactIds.length; start += context.chunkSize) {
    chunks.push(contactIds.slice(start, start + context.chunkSize));
  }
  const stored = await context.notices.define(
    { ...definition, recipientCount: recipients.length },
    chunks,
  );
  await context.publisher.publish(
    chunks.map((chunk) => ({
      subjectKey: stored.subjectKey,
      noticeId: stored.noticeId,
      contactIds: chunk,
    })),
  );
  return stored;
}
