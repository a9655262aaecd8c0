import { createEvent, type DateArray, type EventAttributes } from "ics";
import type { MeetingSnapshot } from "../domain/notices.js";
import { instantAt } from "../domain/time.js";

export class CalendarError extends Error {
  override name = "CalendarError";
}

function utcArray(instant: Date): DateArray {
  return [
    instant.getUTCFullYear(),
    instant.getUTCMonth() + 1,
    instant.getUTCDate(),
    instant.getUTCHours(),
    instant.getUTCMinutes(),
  ];
}

/**
 * A name inside a quoted iCalendar parameter (CN="..."): RFC 5545 has no escape for `"` there,
 * so it becomes an apostrophe, and control characters go.
 */
export function parameterText(name: string): string {
  return name.replace(/"/g, "'").replace(/\p{Cc}/gu, " ");
}

/** The same UID for every notice of a meeting, so calendars update one entry. */
export function meetingUid(meetingId: string): string {
  return `${meetingId}@kp-workflows.khartoumprocess.net`;
}

/**
 * An iCalendar (RFC 5545) object for one recipient: METHOD:REQUEST with the meeting's SEQUENCE,
 * or METHOD:CANCEL with STATUS:CANCELLED; exact instants in UTC; the secretariat as ORGANIZER.
 */
export function meetingCalendar(
  meeting: MeetingSnapshot,
  method: "REQUEST" | "CANCEL",
  attendee: { name: string; email: string },
  organizer: { name: string; email: string },
  location: string,
  options: {
    /** In the recipient's language: the note, the agenda link, whom to write to. */
    description?: string;
    /** DTSTAMP: when the notice was defined, so that composing stays a pure function. */
    stampedAt?: Date;
  } = {},
): string {
  const description = options.description ?? meeting.description;
  const attributes = {
    productId: "kp-workflows",
    method,
    uid: meetingUid(meeting.meetingId),
    sequence: meeting.sequence,
    status: method === "CANCEL" ? "CANCELLED" : "CONFIRMED",
    title: meeting.title,
    start: utcArray(instantAt(meeting.startsAt, meeting.timeZone)),
    startInputType: "utc",
    startOutputType: "utc",
    end: utcArray(instantAt(meeting.endsAt, meeting.timeZone)),
    endInputType: "utc",
    endOutputType: "utc",
    location,
    ...(description === undefined ? {} : { description }),
    ...(options.stampedAt === undefined ? {} : { timestamp: options.stampedAt.getTime() }),
    organizer: { name: parameterText(organizer.name), email: organizer.email },
    attendees: [
      {
        name: parameterText(attendee.name),
        email: attendee.email,
        rsvp: method === "REQUEST",
        partstat: "NEEDS-ACTION",
        role: "REQ-PARTICIPANT",
      },
    ],
  } satisfies EventAttributes;
  let { error, value } =
    meeting.agendaUrl === undefined
      ? createEvent(attributes)
      : createEvent({ ...attributes, url: meeting.agendaUrl });
  if (error !== null && meeting.agendaUrl !== undefined) {
    // ics checks URL with a stricter pattern than the contract's (no IPv6 host, no one-digit
    // port, no capitals or "_" in the host): the agenda is then in the description only.
    const agenda = `Agenda: ${meeting.agendaUrl}`;
    ({ error, value } = createEvent({
      ...attributes,
      description:
        description === undefined
          ? agenda
          : description.includes(meeting.agendaUrl)
            ? description
            : `${description}\n\n${agenda}`,
    }));
  }
  if (error !== null || value === null) {
    throw new CalendarError(`Cannot build the calendar of ${meeting.meetingId}: ${error?.message}`);
  }
  return value;
}
