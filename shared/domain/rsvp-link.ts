import type { Language } from "../contract/index.js";
import type { Contact } from "./contacts.js";
import type { Meeting } from "./meetings.js";
import {
  LinkAnswerRefused,
  type RsvpAnswer,
  type RsvpRepository,
  recordLinkAnswer,
} from "./rsvp.js";
import { type LinkClaims, RsvpTokenRefused, verifyLinkToken } from "./rsvp-token.js";

/** What the page of a link shows. */
export type LinkOutcome =
  /** GET: the question, with a form that POSTs the answer; nothing recorded. */
  | { page: "confirm"; language: Language; title: string; answer: RsvpAnswer }
  /** POST: the answer is recorded. */
  | { page: "recorded"; language: Language; title: string; answer: RsvpAnswer }
  /** The token is altered, expired or not ours. */
  | { page: "invalid"; problem: string }
  /** The meeting is cancelled or gone, or the contact removed. */
  | { page: "closed"; language: Language }
  /** GET of a stop-reminders link: what stopping means, with a form that POSTs it. */
  | { page: "confirm-stop"; language: Language }
  /** POST of a stop-reminders link: the contact gets no more reminders (a form turns them on). */
  | { page: "stopped"; language: Language }
  /** GET of a stop-reminders link once the member stopped them: a form turns them back on. */
  | { page: "reminders-off"; language: Language }
  /** POST `action=resume`: the member's reminders are on again. */
  | { page: "resumed"; language: Language }
  /** POST `action=resume` where the secretariat, not the member, turned the reminders off. */
  | { page: "resume-refused"; language: Language }
  /** A stop-reminders link of a contact since removed: nothing to stop. */
  | { page: "stop-closed"; language: Language };

export interface LinkContext {
  secret: () => Promise<string>;
  meetings: { get(meetingId: string): Promise<Meeting | undefined> };
  contacts: {
    get(contactId: string): Promise<Contact | undefined>;
    /** Sets the contact's `reminders: false` as the member's own choice; false if not stored. */
    stopReminders(contactId: string, at: string): Promise<boolean>;
    /**
     * Undoes the member's own stop (`reminders: true` again); false if the contact is not
     * stored or its reminders are off by the secretariat's choice, not the member's.
     */
    resumeReminders(contactId: string): Promise<boolean>;
  };
  rsvps: RsvpRepository;
  now: Date;
}

/**
 * A member opened an answer link (GET) or confirmed on its page (POST):
 * 1. the token must carry our signature and not have expired;
 * 2. GET shows the answer to confirm and records nothing: mail scanners and link previews open
 *    every link of a message, and must not answer for the member;
 * 3. POST records the answer (now, channel "link"), if the meeting is still scheduled and the
 *    contact still known.
 * A stop-reminders link (signed the same way) goes to stopRemindersByLink.
 */
export async function answerByLink(
  /** `action`: the POSTed form's (`resume` on a stop-reminders link turns them back on). */
  request: { method: "GET" | "POST"; token: string; action?: string },
  context: LinkContext,
): Promise<LinkOutcome> {
  let claims: LinkClaims;
  try {
    claims = verifyLinkToken(request.token, await context.secret(), context.now);
  } catch (error) {
    if (error instanceof RsvpTokenRefused) return { page: "invalid", problem: error.problem };
    throw error;
  }
  if (claims.kind === "stop-reminders") {
    return stopRemindersByLink(request, claims.contactId, context);
  }
  const contact = await context.contacts.get(claims.contactId);
  const meeting = await context.meetings.get(claims.meetingId);
  const language = contact?.language ?? "en";
  if (contact === undefined || meeting === undefined || meeting.status !== "scheduled") {
    return { page: "closed", language };
  }
  if (request.method === "GET") {
    return { page: "confirm", language, title: meeting.title, answer: claims.answer };
  }
  try {
    await recordLinkAnswer(claims, { ...context, now: context.now });
  } catch (error) {
    if (error instanceof LinkAnswerRefused) return { page: "closed", language };
    throw error;
  }
  return { page: "recorded", language, title: meeting.title, answer: claims.answer };
}

/**
 * A member opened the stop-reminders link of a reminder (GET) or confirmed on its page (POST):
 * GET only asks (a mail scanner opens every link), or, once they stopped them, offers to turn
 * them back on; POST sets the contact's `reminders: false`, kept as the member's own choice
 * while their address stays the same (a one-click List-Unsubscribe POST does the same); POST
 * `action=resume` undoes the member's own stop, never the secretariat's.
 */
async function stopRemindersByLink(
  request: { method: "GET" | "POST"; action?: string },
  contactId: string,
  context: LinkContext,
): Promise<LinkOutcome> {
  const contact = await context.contacts.get(contactId);
  if (contact === undefined) return { page: "stop-closed", language: "en" };
  const { language } = contact;
  if (request.method === "GET") {
    return contact.remindersStoppedAt === undefined
      ? { page: "confirm-stop", language }
      : { page: "reminders-off", language };
  }
  if (request.action === "resume") {
    return (await context.contacts.resumeReminders(contactId))
      ? { page: "resumed", language }
      : { page: "resume-refused", language };
  }
  const stopped = await context.contacts.stopReminders(contactId, context.now.toISOString());
  return stopped ? { page: "stopped", language } : { page: "stop-closed", language };
}
