import ICAL from "ical.js";

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { content: string; contentType: string; filename?: string }[];
  at: number;
}

/** Every email aws-ses-v2-local holds (its GET /store). */
export async function storedEmails(sesEndpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesEndpoint}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails;
}

export function recipientOf(email: StoredEmail): string {
  const to = email.destination.to[0] ?? "";
  return /<([^>]+)>/.exec(to)?.[1] ?? to;
}

export interface ParsedCalendar {
  method: string;
  uid: string;
  sequence: number;
  status: string;
  start: string;
  end: string;
  organizer: string;
  attendee: string;
  dtstamp: string | undefined;
}

/** The email's calendar part, parsed with ical.js (a real RFC 5545 parser). */
export function calendarOf(email: StoredEmail): ParsedCalendar | undefined {
  const part = email.attachments.find((attachment) =>
    attachment.contentType.startsWith("text/calendar"),
  );
  if (part === undefined) return undefined;
  const calendar = new ICAL.Component(
    ICAL.parse(Buffer.from(part.content, "base64").toString("utf8")),
  );
  const event = calendar.getFirstSubcomponent("vevent");
  if (event === null) return undefined;
  const time = (name: string) =>
    (event.getFirstPropertyValue(name) as ICAL.Time).toJSDate().toISOString();
  return {
    method: String(calendar.getFirstPropertyValue("method")),
    uid: String(event.getFirstPropertyValue("uid")),
    sequence: Number(event.getFirstPropertyValue("sequence")),
    status: String(event.getFirstPropertyValue("status")),
    start: time("dtstart"),
    end: time("dtend"),
    organizer: String(event.getFirstPropertyValue("organizer")),
    attendee: String(event.getFirstPropertyValue("attendee")),
    dtstamp: event.getFirstPropertyValue("dtstamp") === null ? undefined : time("dtstamp"),
  };
}
