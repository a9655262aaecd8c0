import type { ContactRemovedDetail, ContactUpsertedDetail } from "../contract/index.js";
import { findMemberState, findOrganisation } from "../reference/index.js";
import { EventRejected, type RejectionRepository } from "./rejections.js";

/** A person who receives notices, as stored. */
export interface Contact extends ContactUpsertedDetail {
  /** The time of the event that last changed the contact. */
  updatedAt: string;
  /** Set by a hard bounce or a complaint: no notices go to the contact while it is set. */
  suppressed?: { reason: string; at: string };
  /**
   * When the member stopped their reminders with the link of a reminder: they then have
   * `reminders: false`, kept over later upserts while the address stays the same.
   */
  remindersStoppedAt?: string;
}

/** Which audiences a contact belongs to follows from whom they represent. */
export type ContactGroup = "member-state" | "secretariat" | "partner";

export function contactGroup(contact: Pick<Contact, "memberState" | "organisation">): ContactGroup {
  if (contact.memberState !== undefined) return "member-state";
  const organisation = findOrganisation(contact.organisation ?? "");
  return organisation?.kind === "secretariat" ? "secretariat" : "partner";
}

/** Who the contact represents, in the secretariat's words: "Germany" or "IOM". */
export function representing(contact: Pick<Contact, "memberState" | "organisation">): string {
  if (contact.memberState !== undefined) {
    return findMemberState(contact.memberState)?.name ?? contact.memberState;
  }
  return contact.organisation ?? "";
}

export type SaveOutcome =
  | { saved: true }
  | { saved: false; laterChangeAt: string; removed: boolean };

export type EraseOutcome =
  /** A stored contact was replaced by a tombstone. */
  | { status: "erased" }
  /** A tombstone was stored already; it now keeps the later of the two removal times. */
  | { status: "already-removed" }
  /** Nothing was stored under the id: a tombstone now keeps it, as for a removed contact. */
  | { status: "unknown" }
  /** The contact was upserted by an event sent after this removal: nothing was erased. */
  | { status: "changed-later"; laterChangeAt: string };

export interface ContactRepository {
  /** Stores the contact unless a later change (or a removal at the same time or later) is stored. */
  save(contact: Contact): Promise<SaveOutcome>;
  /**
   * Erases name and email, leaving a tombstone that keeps only the id and the time of removal,
   * also for an id never stored (the upsert may come late); a contact upserted by a later
   * event is left as it is.
   */
  erase(contactId: string, removedAt: string): Promise<EraseOutcome>;
  get(contactId: string): Promise<Contact | undefined>;
  list(): Promise<Contact[]>;
}

/**
 * Contact Upserted:
 * 1. the detail is already valid and has the contract's defaults (language, time zone, reminders);
 * 2. keep a suppression (hard bounce, complaint), and the member's stop of their reminders,
 *    while the email address is the same;
 * 3. store it, unless a later change to the same contact was stored first (EventBridge does not
 *    promise order), or the contact was removed after this event was sent: a late redelivery
 *    must not bring erased personal data back.
 */
export async function upsertContact(
  detail: ContactUpsertedDetail,
  context: { contacts: ContactRepository; eventTime: string },
): Promise<Contact> {
  const contact: Contact = { ...detail, updatedAt: context.eventTime };
  // A suppression belongs to the address: it stays while the address does.
  const existing = await context.contacts.get(detail.contactId);
  if (existing?.suppressed !== undefined && existing.email === detail.email) {
    contact.suppressed = existing.suppressed;
  }
  // The member's own "no reminders" belongs to them: a later upsert (whose `reminders`
  // defaults to true) does not turn the reminders back on behind their back.
  if (existing?.remindersStoppedAt !== undefined && existing.email === detail.email) {
    contact.reminders = false;
    contact.remindersStoppedAt = existing.remindersStoppedAt;
  }
  const outcome = await context.contacts.save(contact);
  if (!outcome.saved) {
    throw new EventRejected(
      outcome.removed
        ? `Contact ${detail.contactId} was removed at ${outcome.laterChangeAt}, after this event was sent at ${context.eventTime}; put it again to add the contact back.`
        : `Contact ${detail.contactId} was changed by a later event (at ${outcome.laterChangeAt}); this older change was not applied.`,
      outcome.removed,
    );
  }
  return contact;
}

/**
 * Contact Removed:
 * 1. erase the contact's name and email (a tombstone keeps only the id and the time); for an id
 *    never stored the tombstone is kept all the same, since EventBridge may deliver the removal
 *    before the upsert it follows: that late upsert is then refused, and nothing comes back;
 * 2. erase them from every rejected event about the contact as well;
 * 3. a removal sent before the contact's latest upsert (a redelivery, delivered late) erases
 *    nothing: that upsert added the contact again after it.
 * Removing a contact twice is harmless (EventBridge may deliver twice). Removing an id that was
 * never stored anywhere is listed as rejected, with what was kept, so the officer learns of a
 * mistyped id.
 */
export async function removeContact(
  detail: ContactRemovedDetail,
  context: { contacts: ContactRepository; rejections: RejectionRepository; eventTime: string },
): Promise<void> {
  const outcome = await context.contacts.erase(detail.contactId, context.eventTime);
  const erasedRejections = await context.rejections.eraseContact(detail.contactId);
  if (outcome.status === "changed-later") {
    throw new EventRejected(
      `Contact ${detail.contactId} was upserted by a later event (at ${outcome.laterChangeAt}) than this removal (sent at ${context.eventTime}); it was not erased. Put Contact Removed again to remove it.`,
    );
  }
  if (outcome.status === "unknown" && erasedRejections === 0) {
    throw new EventRejected(
      `There is no contact ${detail.contactId} yet: it is kept as removed, so that a Contact Upserted for it sent at or before ${context.eventTime} is refused (one put later adds the contact). Check the contactId.`,
    );
  }
}
