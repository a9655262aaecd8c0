import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import type { MeetingSnapshot } from "../../shared/domain/notices.js";
import { meetingCalendar } from "../../shared/notices/calendar.js";
import { calendarTemplates } from "../../shared/notices/calendar-template.js";
import { contactUpsertedArbitrary, meetingScheduledArbitrary } from "../support/arbitraries.js";

/** The calendar as a client reads it, without DTSTAMP (the second it was built). */
function asRead(content: string): unknown {
  const calendar = new ICAL.Component(ICAL.parse(content));
  for (const event of calendar.getAllSubcomponents("vevent")) event.removeProperty("dtstamp");
  return calendar.toJSON();
}

const organizer = { name: "Khartoum Process Secretariat", email: "secretariat@example.org" };

describe("calendarTemplates", () => {
  it("gives each attendee the calendar meetingCalendar builds for them, folded within 75 characters", () => {
    fc.assert(
      fc.property(
        meetingScheduledArbitrary,
        fc.array(contactUpsertedArbitrary, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("REQUEST" as const, "CANCEL" as const),
        (scheduled, contacts, method) => {
          // Prepare
          const meeting = { ...scheduled, sequence: 0 } as unknown as MeetingSnapshot;
          const calendarOf = calendarTemplates();

          for (const contact of contacts) {
            const attendee = { name: contact.name, email: contact.email };
            // Act
            const copied = calendarOf(meeting, method, attendee, organizer, "Berlin");
            const built = meetingCalendar(meeting, method, attendee, organizer, "Berlin");

            // Assess
            expect(asRead(copied)).toEqual(asRead(built));
            for (const line of copied.split("\r\n")) {
              expect(Array.from(line).length).toBeLessThanOrEqual(75);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("builds the calendar once per meeting, method, organizer and location", () => {
    // Prepare
    let builds = 0;
    const calendarOf = calendarTemplates((...args) => {
      builds += 1;
      return meetingCalendar(...args);
    });
    const meeting = {
      meetingId: "som-9-berlin-2030",
      kind: "steering-committee-meeting",
      title: "Steering Committee Meeting",
      startsAt: "2030-03-15T14:00",
      endsAt: "2030-03-15T18:00",
      timeZone: "Europe/Berlin",
      venue: { city: "Berlin", country: "DE" },
      sequence: 0,
    } as MeetingSnapshot;

    // Act
    const first = calendarOf(
      meeting,
      "REQUEST",
      { name: "A $& B", email: "a@example.org" },
      organizer,
      "Berlin",
    );
    calendarOf(meeting, "REQUEST", { name: "C", email: "c@example.org" }, organizer, "Berlin");
    calendarOf(meeting, "CANCEL", { name: "C", email: "c@example.org" }, organizer, "Berlin");

    // Assess
    expect(builds).toBe(2);
    expect(first.replace(/\r\n[ \t]/g, "")).toContain('CN="A $& B":mailto:a@example.org');
  });
});
