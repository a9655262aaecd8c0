import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import type { Contact } from "../../shared/domain/contacts.js";
import type { MeetingSnapshot, NoticeDefinition } from "../../shared/domain/notices.js";
import { meetingCalendar, meetingUid } from "../../shared/notices/calendar.js";
import { composeNotice, type Sender } from "../../shared/notices/render.js";

/** The calendar as a calendar client reads it: ical.js, a real RFC 5545 parser. */
function parsed(content: string) {
  const calendar = new ICAL.Component(ICAL.parse(content));
  const events = calendar.getAllSubcomponents("vevent");
  const event = events[0];
  if (event === undefined) throw new Error("the calendar has no VEVENT");
  const text = (name: string) => {
    const value = event.getFirstPropertyValue(name);
    return value === null ? undefined : String(value);
  };
  const instant = (name: string) => {
    const value = event.getFirstPropertyValue(name);
    if (!(value instanceof ICAL.Time)) throw new Error(`${name} is not a date-time`);
    return value;
  };
  return { calendar, events, event, text, instant };
}

const som9: MeetingSnapshot = {
  meetingId: "som-9-berlin-2023",
  kind: "senior-officials-meeting",
  title: "9th Senior Officials' Meeting",
  startsAt: "2023-03-16T09:00",
  endsAt: "2023-03-16T17:30",
  timeZone: "Europe/Berlin",
  venue: { city: "Berlin", country: "DE", name: "Federal Foreign Office" },
  sequence: 0,
};

const attendee = { name: "Erika Mustermann", email: "erika.mustermann@example.de" };
const organizer = { name: "Khartoum Process Secretariat", email: "secretariat@example.org" };
const LOCATION = "Federal Foreign Office, Berlin, Germany";

const sender: Sender = { name: organizer.name, address: organizer.email };
const erika: Contact = {
  contactId: "de-focal-point-1",
  name: attendee.name,
  email: attendee.email,
  memberState: "DE",
  roles: ["focal-point"],
  language: "en",
  timeZone: "Europe/Berlin",
  reminders: true,
  updatedAt: "2023-01-01T00:00:00Z",
};

function notice(
  kind: "invitation" | "update" | "cancellation",
  meeting: MeetingSnapshot,
): NoticeDefinition {
  return {
    subjectKey: `MEETING#${meeting.meetingId}`,
    noticeId: `${kind}-v${meeting.sequence}`,
    kind,
    definedAt: "2023-02-01T10:00:00.000Z",
    recipientCount: 1,
    meeting,
  };
}

/** The calendar part of the email a contact receives for this notice. */
function attachedCalendar(definition: NoticeDefinition): string {
  const content = composeNotice(definition, erika, sender).calendar?.content;
  if (content === undefined) throw new Error(`${definition.noticeId} has no calendar`);
  return content;
}

describe("meetingCalendar", () => {
  it("is a REQUEST with one confirmed event for an invitation", () => {
    // Act
    const { calendar, events, text } = parsed(
      meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION),
    );

    // Assess
    expect(calendar.name).toBe("vcalendar");
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(events).toHaveLength(1);
    expect(text("status")).toBe("CONFIRMED");
    expect(text("sequence")).toBe("0");
  });

  it("is a CANCEL with a cancelled event for a cancellation", () => {
    // Act
    const { calendar, events, text } = parsed(
      meetingCalendar({ ...som9, sequence: 2 }, "CANCEL", attendee, organizer, LOCATION),
    );

    // Assess
    expect(calendar.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(events).toHaveLength(1);
    expect(text("status")).toBe("CANCELLED");
    expect(text("sequence")).toBe("2");
  });

  it("carries the meeting's UID", () => {
    // Act
    const { text } = parsed(meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    expect(text("uid")).toBe(meetingUid(som9.meetingId));
    expect(meetingUid(som9.meetingId)).toBe("som-9-berlin-2023@kp-workflows.khartoumprocess.net");
  });

  it("gives different meetings different UIDs", () => {
    // Act
    const uids = ["som-9-berlin-2023", "som-10-rome-2024"].map((meetingId) =>
      parsed(
        meetingCalendar({ ...som9, meetingId }, "REQUEST", attendee, organizer, LOCATION),
      ).text("uid"),
    );

    // Assess
    expect(new Set(uids).size).toBe(2);
  });

  it.each([3, 17])("carries SEQUENCE %i as given", (sequence) => {
    // Act
    const { event } = parsed(
      meetingCalendar({ ...som9, sequence }, "REQUEST", attendee, organizer, LOCATION),
    );

    // Assess
    expect(event.getFirstPropertyValue("sequence")).toBe(sequence);
  });

  it("stamps the event with a UTC date-time", () => {
    // Act
    const { instant } = parsed(meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    const stamp = instant("dtstamp");
    expect(stamp.zone?.tzid).toBe("UTC");
    expect(Number.isNaN(stamp.toJSDate().getTime())).toBe(false);
  });

  it("names the secretariat as ORGANIZER and the recipient as the one ATTENDEE, by mailto", () => {
    // Act
    const { event } = parsed(meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    const organizerProperty = event.getFirstProperty("organizer");
    expect(String(organizerProperty?.getFirstValue()).toLowerCase()).toBe(
      "mailto:secretariat@example.org",
    );
    expect(organizerProperty?.getParameter("cn")).toBe("Khartoum Process Secretariat");
    const attendees = event.getAllProperties("attendee");
    expect(attendees).toHaveLength(1);
    expect(String(attendees[0]?.getFirstValue()).toLowerCase()).toBe(
      "mailto:erika.mustermann@example.de",
    );
    expect(attendees[0]?.getParameter("cn")).toBe("Erika Mustermann");
    expect(attendees[0]?.getParameter("rsvp")).toBe("TRUE");
  });

  it("asks for no reply to a cancellation", () => {
    // Act
    const { event } = parsed(meetingCalendar(som9, "CANCEL", attendee, organizer, LOCATION));

    // Assess
    expect(event.getFirstProperty("attendee")?.getParameter("rsvp")).toBe("FALSE");
  });

  it("keeps an attendee name with a comma, a semicolon and a colon intact", () => {
    // Prepare
    const titled = { name: "Mustermann, Erika; Dr: Head of Unit", email: attendee.email };

    // Act
    const { event } = parsed(meetingCalendar(som9, "REQUEST", titled, organizer, LOCATION));

    // Assess
    const property = event.getFirstProperty("attendee");
    expect(property?.getParameter("cn")).toBe("Mustermann, Erika; Dr: Head of Unit");
    expect(String(property?.getFirstValue()).toLowerCase()).toBe(
      "mailto:erika.mustermann@example.de",
    );
  });

  it("starts and ends at the exact UTC instants of the venue's winter time", () => {
    // Act
    const { instant } = parsed(meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    expect(instant("dtstart").toJSDate().toISOString()).toBe("2023-03-16T08:00:00.000Z");
    expect(instant("dtend").toJSDate().toISOString()).toBe("2023-03-16T16:30:00.000Z");
    expect(instant("dtstart").zone?.tzid).toBe("UTC");
  });

  it("starts and ends at the exact UTC instants of the venue's summer time", () => {
    // Prepare
    const summer = { ...som9, startsAt: "2023-07-13T09:00", endsAt: "2023-07-13T17:30" };

    // Act
    const { instant } = parsed(meetingCalendar(summer, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    expect(instant("dtstart").toJSDate().toISOString()).toBe("2023-07-13T07:00:00.000Z");
    expect(instant("dtend").toJSDate().toISOString()).toBe("2023-07-13T15:30:00.000Z");
  });

  it("starts at the exact instant of a venue in another zone", () => {
    // Prepare
    const nairobi = {
      ...som9,
      timeZone: "Africa/Nairobi",
      venue: { city: "Nairobi", country: "KE" },
    };

    // Act
    const { instant } = parsed(meetingCalendar(nairobi, "REQUEST", attendee, organizer, "Nairobi"));

    // Assess
    expect(instant("dtstart").toJSDate().toISOString()).toBe("2023-03-16T06:00:00.000Z");
  });

  it("round-trips summary, location and description with commas, semicolons, backslashes and line breaks", () => {
    // Prepare
    const awkward: MeetingSnapshot = {
      ...som9,
      title: "Return, readmission; and reintegration \\ a workshop",
      description: "Day 1: arrival, registration;\nDay 2: sessions\n\nSee C:\\agenda, please.",
    };
    const location = "Hotel Adlon; Room 3, Unter den Linden 77, Berlin";

    // Act
    const { text } = parsed(meetingCalendar(awkward, "REQUEST", attendee, organizer, location));

    // Assess
    expect(text("summary")).toBe(awkward.title);
    expect(text("location")).toBe(location);
    expect(text("description")).toBe(awkward.description);
  });

  it("round-trips a long title in Arabic script and with an emoji across folded lines", () => {
    // Prepare
    const title = `الاجتماع التاسع لكبار المسؤولين في عملية الخرطوم 🌍 ${"x".repeat(80)}`;

    // Act
    const content = meetingCalendar({ ...som9, title }, "REQUEST", attendee, organizer, LOCATION);

    // Assess
    expect(content).toMatch(/\r\n[ \t]/);
    expect(parsed(content).text("summary")).toBe(title);
  });

  it("links the agenda when there is one", () => {
    // Act
    const { text } = parsed(
      meetingCalendar(
        { ...som9, agendaUrl: "https://example.org/agenda.pdf" },
        "REQUEST",
        attendee,
        organizer,
        LOCATION,
      ),
    );

    // Assess
    expect(text("url")).toBe("https://example.org/agenda.pdf");
  });

  it("has no description when the meeting has none", () => {
    // Act
    const { text } = parsed(meetingCalendar(som9, "REQUEST", attendee, organizer, LOCATION));

    // Assess
    expect(text("description")).toBeUndefined();
  });
});

describe("the calendar attached to a meeting's notices", () => {
  it("carries the same UID on the invitation, every update and the cancellation", () => {
    // Prepare
    const notices = [
      notice("invitation", som9),
      notice("update", {
        ...som9,
        startsAt: "2023-03-17T09:00",
        endsAt: "2023-03-17T17:30",
        sequence: 1,
      }),
      notice("update", {
        ...som9,
        startsAt: "2023-03-20T09:00",
        endsAt: "2023-03-20T17:30",
        sequence: 2,
      }),
      notice("cancellation", { ...som9, sequence: 3 }),
    ];

    // Act
    const calendars = notices.map((definition) => parsed(attachedCalendar(definition)));

    // Assess
    expect(calendars.map(({ text }) => text("uid"))).toEqual(
      Array.from({ length: 4 }, () => meetingUid(som9.meetingId)),
    );
    expect(calendars.map(({ event }) => event.getFirstPropertyValue("sequence"))).toEqual([
      0, 1, 2, 3,
    ]);
    expect(calendars.map(({ calendar }) => calendar.getFirstPropertyValue("method"))).toEqual([
      "REQUEST",
      "REQUEST",
      "REQUEST",
      "CANCEL",
    ]);
  });

  it("is a REQUEST at sequence 0 for the invitation, addressed to the recipient by the sender", () => {
    // Act
    const { calendar, event, text, instant } = parsed(attachedCalendar(notice("invitation", som9)));

    // Assess
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(text("status")).toBe("CONFIRMED");
    expect(event.getFirstPropertyValue("sequence")).toBe(0);
    expect(String(event.getFirstPropertyValue("organizer")).toLowerCase()).toBe(
      "mailto:secretariat@example.org",
    );
    expect(String(event.getFirstPropertyValue("attendee")).toLowerCase()).toBe(
      "mailto:erika.mustermann@example.de",
    );
    expect(instant("dtstart").toJSDate().toISOString()).toBe("2023-03-16T08:00:00.000Z");
    expect(instant("dtend").toJSDate().toISOString()).toBe("2023-03-16T16:30:00.000Z");
  });

  it("is a CANCEL with STATUS CANCELLED for the cancellation", () => {
    // Act
    const { calendar, text } = parsed(
      attachedCalendar(notice("cancellation", { ...som9, sequence: 1 })),
    );

    // Assess
    expect(calendar.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(text("status")).toBe("CANCELLED");
  });

  it.each([
    { language: "en" as const, location: "Federal Foreign Office, Berlin, Germany" },
    { language: "fr" as const, location: "Federal Foreign Office, Berlin, Allemagne" },
    { language: "ar" as const, location: "Federal Foreign Office، Berlin، ألمانيا" },
  ])(
    "gives the venue as LOCATION in the recipient's language ($language)",
    ({ language, location }) => {
      // Act
      const content =
        composeNotice(notice("invitation", som9), { ...erika, language }, sender).calendar
          ?.content ?? "";

      // Assess
      expect(parsed(content).text("location")).toBe(location);
    },
  );

  it("puts the description, the agenda link and whom to write to in DESCRIPTION", () => {
    // Prepare
    const described = {
      ...som9,
      description: "Agenda: opening, keynote;\nthen panels; lunch, closing.",
      agendaUrl: "https://example.org/agenda.pdf",
    };
    const withReplyTo = { ...sender, replyTo: "secretariat@khartoumprocess.net" };

    // Act
    const content =
      composeNotice(notice("invitation", described), { ...erika, language: "fr" }, withReplyTo)
        .calendar?.content ?? "";

    // Assess
    const { text } = parsed(content);
    expect(text("description")).toBe(
      [
        described.description,
        "Ordre du jour : https://example.org/agenda.pdf",
        "Le Secrétariat du Processus de Khartoum : secretariat@khartoumprocess.net",
      ].join("\n\n"),
    );
    expect(text("summary")).toBe(som9.title);
  });
});

describe("an agenda URL that ics refuses", () => {
  it.each([
    "http://[::1]:8080/agenda",
    "https://example.org:8/agenda",
    "https://EXAMPLE.org/agenda",
  ])(
    "keeps %s in the description instead of URL, found by the composition property",
    (agendaUrl) => {
      // Act
      const content = meetingCalendar(
        { ...som9, agendaUrl, description: "Draft agenda." },
        "REQUEST",
        attendee,
        organizer,
        LOCATION,
      );

      // Assess
      const { text } = parsed(content);
      expect(text("url")).toBeUndefined();
      expect(text("description")).toBe(`Draft agenda.\n\nAgenda: ${agendaUrl}`);
    },
  );
});

describe("names inside quoted calendar parameters", () => {
  it("turns a double quote in a name into an apostrophe, so the attendee's address survives", () => {
    // Act
    const content = meetingCalendar(
      {
        meetingId: "som-9-berlin-2023",
        kind: "senior-officials-meeting",
        title: "9th Senior Officials' Meeting",
        startsAt: "2023-03-16T09:00",
        endsAt: "2023-03-16T17:30",
        timeZone: "Europe/Berlin",
        venue: { city: "Berlin", country: "DE" },
        sequence: 0,
      },
      "REQUEST",
      { name: 'Erika "E" Muster:mann; Jr, PhD', email: "erika@example.de" },
      { name: "Khartoum Process Secretariat", email: "notices@example.org" },
      "Berlin, Germany",
    );
    const event = new ICAL.Component(ICAL.parse(content)).getFirstSubcomponent("vevent");
    const attendee = event?.getFirstProperty("attendee");

    // Assess
    expect(String(attendee?.getFirstValue())).toMatch(/^mailto:erika@example.de$/i);
    expect(attendee?.getParameter("cn")).toBe("Erika 'E' Muster:mann; Jr, PhD");
  });
});
