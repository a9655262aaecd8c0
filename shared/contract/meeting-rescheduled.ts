import { z } from "zod";
import { defineEvent, localDateTime, secretariatId, singleLine, timeZone } from "./common.js";
import { endsAfterStarts, venueSchema } from "./meeting-scheduled.js";

export const meetingRescheduledSchema = z
  .strictObject({
    meetingId: secretariatId,
    startsAt: localDateTime,
    endsAt: localDateTime,
    timeZone: timeZone.optional(),
    venue: venueSchema.optional(),
    reason: singleLine(500).optional(),
  })
  .refine(endsAfterStarts, { message: "endsAt must be after startsAt", path: ["endsAt"] });
export type MeetingRescheduledDetail = z.infer<typeof meetingRescheduledSchema>;

export const MeetingRescheduled = defineEvent("Meeting Rescheduled", meetingRescheduledSchema);
