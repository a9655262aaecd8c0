import { meetingCalendar, parameterText } from "./calendar.js";

type CalendarOf = typeof meetingCalendar;

/** Stand-ins for the attendee, which the calendar library passes through unchanged. */
const NAME_MARK = "KpAttendeeNameMark7f3a";
const EMAIL_MARK = "kp-attendee-mark-7f3a@example.invalid";

/** RFC 5545 §3.1: a content line is cut after 75 octets' worth of characters, 74 after that. */
function fold(line: string): string {
  const characters = Array.from(line);
  if (characters.length <= 75) return line;
  const parts = [characters.slice(0, 75).join("")];
  for (let start = 75; start < characters.length; start += 74) {
    parts.push(characters.slice(start, start + 74).join(""));
  }
  return parts.join("\r\n\t");
}

const unfold = (calendar: string) => calendar.replace(/\r\n[ \t]/g, "");

/**
 * The meeting's calendar for one attendee, built once for a stand-in attendee and copied for
 * each real one: every recipient of a notice gets the same calendar but for its ATTENDEE line,
 * and building it (the calendar library checks every field) costs more than the rest of the
 * email. The copy is the same calendar `meetingCalendar` builds, unfolded and folded again.
 */
export function calendarTemplates(build: CalendarOf = meetingCalendar): CalendarOf {
  const templates = new Map<string, AttendeeFill>();
  return (meeting, method, attendee, organizer, location, ...rest) => {
    const key = JSON.stringify([meeting, method, organizer, location, ...rest]);
    let template = templates.get(key);
    if (template === undefined) {
      const stand = { name: NAME_MARK, email: EMAIL_MARK };
      template = attendeeFill(unfold(build(meeting, method, stand, organizer, location, ...rest)));
      templates.set(key, template);
    }
    return template(parameterText(attendee.name), attendee.email);
  };
}

type AttendeeFill = (name: string, email: string) => string;

const fillIn = (text: string, name: string, email: string) =>
  text.replace(NAME_MARK, () => name).replace(EMAIL_MARK, () => email);

/**
 * The unfolded template filled in for one attendee and folded: the lines other than the
 * attendee's (ATTENDEE;CN=…:mailto:…) are folded once, the attendee's for each attendee.
 */
function attendeeFill(unfolded: string): AttendeeFill {
  const lines = unfolded.split("\r\n");
  const at = lines.findIndex((line) => line.includes(NAME_MARK) && line.includes(EMAIL_MARK));
  if (at === -1) {
    return (name, email) => fillIn(unfolded, name, email).split("\r\n").map(fold).join("\r\n");
  }
  const line = lines[at] ?? "";
  const head = lines
    .slice(0, at)
    .map((before) => `${fold(before)}\r\n`)
    .join("");
  const tail = lines
    .slice(at + 1)
    .map((after) => `\r\n${fold(after)}`)
    .join("");
  return (name, email) => `${head}${fold(fillIn(line, name, email))}${tail}`;
}
