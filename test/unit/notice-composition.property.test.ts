import fc from "fast-check";
import ICAL from "ical.js";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { mimeMessage } from "../../shared/adapters/ses-mailer.js";
import {
  CONTRACT_EVENTS,
  contactUpsertedSchema,
  LANGUAGES,
  type MeetingScheduledDetail,
  meetingScheduledSchema,
} from "../../shared/contract/index.js";
import type { Contact } from "../../shared/domain/contacts.js";
import { meetingSnapshot } from "../../shared/domain/meetings.js";
import type { NoticeDefinition } from "../../shared/domain/notices.js";
import { instantAt } from "../../shared/domain/time.js";
import { meetingUid } from "../../shared/notices/calendar.js";
import {
  composeCommon,
  composeNotice,
  personalise,
  type Sender,
  venueText,
} from "../../shared/notices/render.js";
import {
  chairDesignatedArbitrary,
  chairHandoverArbitrary,
  contactUpsertedArbitrary,
  meetingCancelledArbitrary,
  meetingRescheduledArbitrary,
  meetingScheduledArbitrary,
  timesExist,
  VALID_DETAILS,
} from "../support/arbitraries.js";

const sender: Sender = { name: "Khartoum Process Secretariat", address: "notices@example.org" };
const DEFINED_AT = "2026-11-01T08:00:00.000Z";

describe("the contract-derived arbitraries", () => {
  it.each(CONTRACT_EVENTS.map((event) => [event.detailType, event] as const))(
    "give only %s details the schema accepts",
    (detailType, contractEvent) => {
      fc.assert(
        fc.property(VALID_DETAILS[detailType] as fc.Arbitrary<unknown>, (detail) => {
          expect(contractEvent.schema.safeParse(detail).success).toBe(true);
        }),
        { numRuns: 200 },
      );
    },
  );
});

/** Every kind of notice the domain defines, from one set of valid details. */
const noticesArbitrary = fc
  .record({
    scheduled: meetingScheduledArbitrary,
    rescheduled: meetingRescheduledArbitrary,
    cancelled: meetingCancelledArbitrary,
    handover: chairHandoverArbitrary,
    designation: chairDesignatedArbitrary,
    contact: contactUpsertedArbitrary,
  })
  .map((details) => {
    const meeting = meetingScheduledSchema.parse(details.scheduled);
    const change = details.rescheduled;
    const changed: MeetingScheduledDetail = {
      ...meeting,
      startsAt: change.startsAt as string,
      endsAt: change.endsAt as string,
      timeZone: (change.timeZone as string | undefined) ?? meeting.timeZone,
      ...(change.venue === undefined
        ? {}
        : { venue: change.venue as MeetingScheduledDetail["venue"] }),
    };
    return { ...details, meeting, changed };
  })
  // The domain refuses a time a daylight-saving change skips (EventRejected, with that reason).
  .filter(({ meeting, changed }) => timesExist(meeting) && timesExist(changed))
  .map(({ meeting, changed, cancelled, rescheduled, handover, designation, contact }) => {
    const base = {
      subjectKey: `MEETING#${meeting.meetingId}`,
      definedAt: DEFINED_AT,
      recipientCount: 1,
    };
    const definitions: NoticeDefinition[] = [
      {
        ...base,
        noticeId: "invitation-v0",
        kind: "invitation",
        meeting: meetingSnapshot({ ...meeting, sequence: 0 }),
      },
      {
        ...base,
        noticeId: "update-v1",
        kind: "update",
        meeting: {
          ...meetingSnapshot({ ...changed, sequence: 1 }),
          ...(rescheduled.reason === undefined ? {} : { reason: rescheduled.reason as string }),
          previous: {
            startsAt: meeting.startsAt,
            endsAt: meeting.endsAt,
            timeZone: meeting.timeZone,
            venue: meeting.venue,
          },
        },
      },
      {
        ...base,
        noticeId: "cancellation-v2",
        kind: "cancellation",
        meeting: {
          ...meetingSnapshot({ ...changed, sequence: 2 }),
          ...(cancelled.reason === undefined ? {} : { reason: cancelled.reason as string }),
        },
      },
      {
        ...base,
        noticeId: "reminder-P14D-v0",
        kind: "reminder",
        meeting: meetingSnapshot({ ...meeting, sequence: 0 }),
        reminderOffset: "P14D",
      },
      {
        subjectKey: "CHAIR",
        noticeId: "handover-1",
        kind: "chair-handover",
        definedAt: DEFINED_AT,
        recipientCount: 1,
        chair: {
          from: handover.from as string,
          to: handover.to as string,
          effectiveOn: handover.effectiveOn as string,
          meetingTitle: meeting.title,
        },
      },
      {
        subjectKey: "CHAIR",
        noticeId: "designation-1",
        kind: "chair-designation",
        definedAt: DEFINED_AT,
        recipientCount: 1,
        chair: {
          to: designation.country as string,
          ...(designation.takesOfficeOn === undefined
            ? {}
            : { takesOfficeOn: designation.takesOfficeOn as string }),
        },
      },
    ];
    const parsedContact = contactUpsertedSchema.parse(contact);
    return { definitions, contact: { ...parsedContact, updatedAt: DEFINED_AT } as Contact };
  });

const METHODS: Partial<Record<NoticeDefinition["kind"], string>> = {
  invitation: "REQUEST",
  update: "REQUEST",
  cancellation: "CANCEL",
};

describe("anything the contract accepts can be delivered", () => {
  it("composes every notice kind, in every language, into a MIME message and a calendar that parse", async () => {
    await fc.assert(
      fc.asyncProperty(noticesArbitrary, async ({ definitions, contact }) => {
        for (const language of LANGUAGES) {
          for (const definition of definitions) {
            // Act
            const email = composeNotice(definition, { ...contact, language }, sender);
            const mail = await simpleParser(await mimeMessage(email, sender));

            // Assess
            expect(mail.subject).toBe(email.subject);
            expect(mail.text?.length).toBeGreaterThan(0);
            expect(typeof mail.html === "string" && mail.html.length > 0).toBe(true);
            const method = METHODS[definition.kind];
            const calendarPart = mail.attachments.find((part) =>
              part.contentType.startsWith("text/calendar"),
            );
            if (method === undefined || definition.meeting === undefined) {
              expect(calendarPart).toBeUndefined();
              continue;
            }
            const calendar = new ICAL.Component(ICAL.parse(calendarPart?.content.toString() ?? ""));
            const event = calendar.getFirstSubcomponent("vevent");
            expect(calendar.getFirstPropertyValue("method")).toBe(method);
            expect(event?.getFirstPropertyValue("uid")).toBe(
              meetingUid(definition.meeting.meetingId),
            );
            expect(Number(event?.getFirstPropertyValue("sequence"))).toBe(
              definition.meeting.sequence,
            );
            expect(event?.getFirstPropertyValue("location")).toBe(
              venueText(definition.meeting, language),
            );
            const start = event?.getFirstPropertyValue("dtstart") as ICAL.Time;
            expect(start.toJSDate().getTime()).toBe(
              instantAt(definition.meeting.startsAt, definition.meeting.timeZone).getTime(),
            );
          }
        }
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 180_000);
});

describe("composing once per notice and language", () => {
  it("gives each recipient, from one common part, the email composed for them alone", () => {
    const links = { baseUrl: "https://rsvp.example.org/rsvp/", secret: "s" };
    fc.assert(
      fc.property(
        noticesArbitrary,
        contactUpsertedArbitrary,
        fc.constantFrom(...LANGUAGES),
        ({ definitions, contact }, other, language) => {
          const second = {
            ...contactUpsertedSchema.parse(other),
            updatedAt: DEFINED_AT,
          } as Contact;
          for (const definition of definitions) {
            // Act
            const common = composeCommon(definition, language, sender);
            const recipients = [
              { ...contact, language },
              { ...second, language },
            ];
            const fromCommon = recipients.map((recipient) =>
              personalise(common, recipient, sender, links),
            );

            // Assess
            expect(fromCommon).toEqual(
              recipients.map((recipient) => composeNotice(definition, recipient, sender, links)),
            );
          }
        },
      ),
      { numRuns: 10, endOnFailure: true },
    );
  }, 120_000);
});
