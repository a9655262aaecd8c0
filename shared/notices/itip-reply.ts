import ICAL from "ical.js";
import { type Attachment, simpleParser } from "mailparser";

/** What a received message says, as far as an answer to an invitation goes. */
export interface ReadReply {
  /** The From header's address ("" when it has none). */
  from: string;
  reply?: { uid: string; attendee: string; partstat: string; answeredAt?: string };
  /** Why no REPLY could be read. */
  problem?: string;
}

function isCalendar(part: Attachment): boolean {
  const type = part.contentType.toLowerCase();
  return type === "text/calendar" || type === "application/ics";
}

/** The first VEVENT of a METHOD:REPLY calendar, read with ical.js. */
function readCalendar(text: string): ReadReply["reply"] | string {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    return `the calendar cannot be parsed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const method = String(calendar.getFirstPropertyValue("method") ?? "").toUpperCase();
  if (method !== "REPLY") return `the calendar's METHOD is ${method || "missing"}, not REPLY`;
  const event = calendar.getFirstSubcomponent("vevent");
  if (event === null) return "the calendar has no VEVENT";
  const uid = String(event.getFirstPropertyValue("uid") ?? "");
  const attendee = event.getFirstProperty("attendee");
  if (uid === "" || attendee === null) return "the VEVENT lacks a UID or an ATTENDEE";
  const address = String(attendee.getFirstValue() ?? "").replace(/^mailto:/i, "");
  const partstat = String(attendee.getParameter("partstat") ?? "");
  if (address === "" || partstat === "") return "the ATTENDEE lacks an address or a PARTSTAT";
  const stamp = event.getFirstPropertyValue("dtstamp");
  const answeredAt = stamp instanceof ICAL.Time ? stamp.toJSDate().toISOString() : undefined;
  return { uid, attendee: address, partstat, ...(answeredAt === undefined ? {} : { answeredAt }) };
}

/**
 * Reads an iMIP message (RFC 6047) as calendar clients send it: the MIME with mailparser (any
 * transfer encoding, the calendar inline in multipart/alternative or as an attachment, once or
 * twice), then the first METHOD:REPLY calendar in it with ical.js (folded lines, parameters,
 * VTIMEZONEs with Windows names: DTSTAMP is UTC, so no zone needs resolving).
 */
export async function readReply(raw: Buffer | string): Promise<ReadReply> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true });
  const from = mail.from?.value[0]?.address ?? "";
  const calendars = mail.attachments.filter(isCalendar);
  if (calendars.length === 0) return { from, problem: "the message carries no calendar" };
  const problems: string[] = [];
  for (const part of calendars) {
    const read = readCalendar(part.content.toString("utf8"));
    if (typeof read !== "string" && read !== undefined) return { from, reply: read };
    problems.push(String(read));
  }
  return { from, problem: problems.join("; ") };
}
