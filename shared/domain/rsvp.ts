import type { ReplyReceivedDetail } from "../contract/replies.js";
import { type AudienceDirectory, audienceQuery } from "./audience.js";
import type { Contact } from "./contacts.js";
import type { Meeting } from "./meetings.js";

export const RSVP_ANSWERS = ["accepted", "tentative", "declined"] as const;
/** A member's answer to a meeting's invitation. */
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];
/** How the answer came: a calendar's iTIP REPLY, or a signed link of the email. */
export type RsvpChannel = "calendar" | "link";

/** One answer, as it came; the latest by `answeredAt` is the contact's current answer. */
export interface Rsvp {
  meetingId: string;
  contactId: string;
  answer: RsvpAnswer;
  /** When the member answered (the calendar's DTSTAMP, or the POST of the link's page). */
  answeredAt: string;
  channel: RsvpChannel;
  recordedAt: string;
}

export interface RsvpRepository {
  /**
   * Keeps the answer among the contact's answers, and makes it the current one unless an answer
   * given later is current already. Answers whether it became current.
   */
  record(rsvp: Rsvp): Promise<boolean>;
  /** The current answer of each contact who answered. */
  listForMeeting(meetingId: string): Promise<Rsvp[]>;
}

/** What the reminder sweep needs to know: who declined. */
export interface DeclinedContacts {
  declinedContacts(meetingId: string): Promise<Set<string>>;
}

/** A reply that is not recorded; kept as rejected with this reason. */
export class ReplyRefused extends Error {
  override name = "ReplyRefused";

  constructor(
    reason: string,
    /** The contact the reply names, when it could be matched. */
    readonly contactId?: string,
  ) {
    super(reason);
  }
}

const UID_SUFFIX = "@kp-workflows.khartoumprocess.net";

/** The meeting whose invitation carried this UID (see calendar.ts meetingUid), if it is ours. */
export function meetingIdOfUid(uid: string): string | undefined {
  const lower = uid.trim();
  if (!lower.toLowerCase().endsWith(UID_SUFFIX)) return undefined;
  const meetingId = lower.slice(0, -UID_SUFFIX.length);
  return meetingId === "" ? undefined : meetingId;
}

const PARTSTAT_ANSWERS: Record<string, RsvpAnswer> = {
  ACCEPTED: "accepted",
  TENTATIVE: "tentative",
  DECLINED: "declined",
};

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export interface ReplyContext {
  meetings: { get(meetingId: string): Promise<Meeting | undefined> };
  directory: AudienceDirectory;
  rsvps: RsvpRepository;
  now: Date;
}

/**
 * A calendar's iTIP REPLY, as the receiving stack handed it over:
 * 1. it must carry a REPLY whose UID is one of our meetings, still scheduled;
 * 2. its ATTENDEE must be a contact of the meeting's audience (addresses compare without case);
 * 3. it must come From that contact's current address, with SES's SPF or DKIM verdict PASS:
 *    anyone can write an ATTENDEE line, only the member's own domain can pass those checks;
 * 4. PARTSTAT ACCEPTED / TENTATIVE / DECLINED is recorded, at the answer's own time (DTSTAMP,
 *    never later than the message's arrival), so a late-delivered older answer does not win.
 * Anything else throws ReplyRefused with a reason an officer can read (and no address in it).
 */
export async function recordCalendarReply(
  detail: ReplyReceivedDetail,
  context: ReplyContext,
): Promise<Rsvp> {
  const reply = detail.reply;
  if (reply === undefined) {
    throw new ReplyRefused(`The message carries no calendar reply: ${detail.problem ?? "unknown"}`);
  }
  const meetingId = meetingIdOfUid(reply.uid);
  if (meetingId === undefined) {
    throw new ReplyRefused(
      `The reply's UID ${reply.uid} is not one of the secretariat's meetings.`,
    );
  }
  const meeting = await context.meetings.get(meetingId);
  if (meeting === undefined) throw new ReplyRefused(`There is no meeting ${meetingId}.`);
  if (meeting.status !== "scheduled") {
    throw new ReplyRefused(`Meeting ${meetingId} is cancelled; the answer was not recorded.`);
  }
  const audience = await context.directory.listAudience(audienceQuery(meeting.audience));
  const contact = audience.find((candidate) => sameAddress(candidate.email, reply.attendee));
  if (contact === undefined) {
    throw new ReplyRefused(
      `The reply's attendee is not a contact of the audience of meeting ${meetingId}.`,
    );
  }
  if (!sameAddress(detail.from, contact.email)) {
    throw new ReplyRefused(
      `The reply to meeting ${meetingId} came From another address than contact ${contact.contactId}'s current one; it was not recorded.`,
      contact.contactId,
    );
  }
  if (detail.verdicts.spf !== "PASS" && detail.verdicts.dkim !== "PASS") {
    throw new ReplyRefused(
      `The reply to meeting ${meetingId} passed neither SPF (${detail.verdicts.spf}) nor DKIM (${detail.verdicts.dkim}); it was not recorded.`,
      contact.contactId,
    );
  }
  const answer = PARTSTAT_ANSWERS[reply.partstat.toUpperCase()];
  if (answer === undefined) {
    throw new ReplyRefused(
      `The reply's PARTSTAT ${reply.partstat} is not an answer (ACCEPTED, TENTATIVE or DECLINED).`,
      contact.contactId,
    );
  }
  const answeredAt =
    reply.answeredAt === undefined || reply.answeredAt > detail.receivedAt
      ? detail.receivedAt
      : reply.answeredAt;
  const rsvp: Rsvp = {
    meetingId,
    contactId: contact.contactId,
    answer,
    answeredAt,
    channel: "calendar",
    recordedAt: context.now.toISOString(),
  };
  await context.rsvps.record(rsvp);
  return rsvp;
}

/** A link's answer that is not recorded: the meeting or the contact is gone. */
export class LinkAnswerRefused extends Error {
  override name = "LinkAnswerRefused";
}

/**
 * An answer given on the page of a signed link (the token is checked before): the meeting must
 * still be scheduled and the contact still known; the answer's time is now.
 */
export async function recordLinkAnswer(
  claims: { meetingId: string; contactId: string; answer: RsvpAnswer },
  context: {
    meetings: { get(meetingId: string): Promise<Meeting | undefined> };
    contacts: { get(contactId: string): Promise<Contact | undefined> };
    rsvps: RsvpRepository;
    now: Date;
  },
): Promise<Rsvp> {
  const meeting = await context.meetings.get(claims.meetingId);
  if (meeting === undefined || meeting.status !== "scheduled") {
    throw new LinkAnswerRefused(`Meeting ${claims.meetingId} is not scheduled.`);
  }
  if ((await context.contacts.get(claims.contactId)) === undefined) {
    throw new LinkAnswerRefused(`Contact ${claims.contactId} is not known.`);
  }
  const rsvp: Rsvp = {
    meetingId: claims.meetingId,
    contactId: claims.contactId,
    answer: claims.answer,
    answeredAt: context.now.toISOString(),
    channel: "link",
    recordedAt: context.now.toISOString(),
  };
  await context.rsvps.record(rsvp);
  return rsvp;
}

/** Attendance of one group of the audience: how many answered what. */
export interface Attendance {
  accepted: number;
  tentative: number;
  declined: number;
  noAnswer: number;
}

/** The answers of a group's contacts, counted. */
export function attendanceOf(
  contactIds: readonly string[],
  answers: ReadonlyMap<string, RsvpAnswer>,
): Attendance {
  const attendance: Attendance = { accepted: 0, tentative: 0, declined: 0, noAnswer: 0 };
  for (const contactId of contactIds) {
    const answer = answers.get(contactId);
    if (answer === undefined) attendance.noAnswer += 1;
    else attendance[answer] += 1;
  }
  return attendance;
}
