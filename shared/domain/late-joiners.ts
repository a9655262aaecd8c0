import { audienceQuery } from "./audience.js";
import { type Contact, contactGroup } from "./contacts.js";
import { currentRequestId, type Meeting, meetingSubject } from "./meetings.js";
import type { NoticePublisher, NoticeRepository, NoticesDue } from "./notices.js";
import { instantAt } from "./time.js";

export interface UpcomingMeetings {
  /** Meetings that may start after `now` (a superset: the caller checks each start). */
  startingAfter(now: Date): Promise<Meeting[]>;
}

/** Whether a meeting's audience takes in the contact, as the contract defines audiences. */
export function audienceIncludes(meeting: Pick<Meeting, "audience">, contact: Contact): boolean {
  const query = audienceQuery(meeting.audience);
  const group = contactGroup(contact);
  if (!query.groups.includes(group)) return false;
  if (group !== "member-state" || query.memberStates === undefined) return true;
  return query.memberStates.includes(contact.memberState ?? "");
}

/**
 * After a Contact Upserted: the contact receives the current invitation of every upcoming
 * meeting whose audience now takes them in (a new contact, or one moved into the audience).
 * 1. list the meetings that start after the event (the lists index, by start; no scan);
 * 2. keep the scheduled ones whose audience includes the contact and that announced themselves
 *    (a meeting recorded without notices has no invitation to hand on);
 * 3. hand the meeting's latest REQUEST (its invitation, or the latest update) to the sender for
 *    this contact alone. The outbox holds one record per notice and contact, so a contact who
 *    has it already (every contact of the audience when it was sent, or this one after an
 *    earlier upsert) is sent nothing: each gets it once.
 */
export async function inviteLateJoiner(
  contact: Contact,
  context: {
    upcoming: UpcomingMeetings;
    notices: Pick<NoticeRepository, "getDefinition">;
    publisher: NoticePublisher;
    now: Date;
  },
): Promise<string[]> {
  const meetings = await context.upcoming.startingAfter(context.now);
  const due: NoticesDue[] = [];
  for (const meeting of meetings) {
    if (meeting.status !== "scheduled" || meeting.notNotified !== undefined) continue;
    if (instantAt(meeting.startsAt, meeting.timeZone) <= context.now) continue;
    if (!audienceIncludes(meeting, contact)) continue;
    const subjectKey = meetingSubject(meeting.meetingId);
    const noticeId = currentRequestId(meeting);
    if ((await context.notices.getDefinition(subjectKey, noticeId)) === undefined) continue;
    due.push({ subjectKey, noticeId, contactIds: [contact.contactId] });
  }
  await context.publisher.publish(due);
  return due.map((batch) => batch.subjectKey);
}
