import { z } from "zod";
import { isAssignedCountryCode } from "../reference/index.js";
import {
  defineEvent,
  httpsUrl,
  localDateTime,
  memberStateCode,
  multiLine,
  secretariatId,
  singleLine,
  timeZone,
} from "./common.js";

export const MEETING_KINDS = [
  "ministerial-conference",
  "steering-committee-meeting",
  "senior-officials-meeting",
  "thematic-meeting",
  "thematic-workshop",
  "regional-training",
] as const;

export const venueSchema = z.strictObject({
  city: singleLine(100),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166-1 alpha-2 code", abort: true })
    .refine(isAssignedCountryCode, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a country: it must be an ISO 3166-1 alpha-2 code assigned to a country or territory (e.g. KE, MA; not EU, UN or XK)`,
    }),
  name: singleLine(200).optional(),
});
export type Venue = z.infer<typeof venueSchema>;

export const audienceSchema = z.union(
  [
    z.literal("steering-committee"),
    z.literal("all"),
    z.strictObject({
      countries: z
        .array(memberStateCode)
        .min(1, "must name at least one member state")
        .refine((codes) => new Set(codes).size === codes.length, "must not repeat a member state"),
    }),
  ],
  { error: 'must be "steering-committee", "all" or { "countries": [member-state codes] }' },
);
export type Audience = z.infer<typeof audienceSchema>;

/** End after start, compared as wall-clock times in one zone (the ISO strings sort as times do). */
export function endsAfterStarts(meeting: { startsAt: string; endsAt: string }): boolean {
  return meeting.endsAt > meeting.startsAt;
}

export const meetingScheduledSchema = z
  .strictObject({
    meetingId: secretariatId,
    kind: z.enum(MEETING_KINDS),
    title: singleLine(300),
    startsAt: localDateTime,
    endsAt: localDateTime,
    timeZone,
    venue: venueSchema,
    audience: audienceSchema,
    description: multiLine(5000).optional(),
    agendaUrl: httpsUrl.optional(),
  })
  .refine(endsAfterStarts, { message: "endsAt must be after startsAt", path: ["endsAt"] });
export type MeetingScheduledDetail = z.infer<typeof meetingScheduledSchema>;

export const MeetingScheduled = defineEvent("Meeting Scheduled", meetingScheduledSchema);
