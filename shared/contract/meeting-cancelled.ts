import { z } from "zod";
import { defineEvent, secretariatId, singleLine } from "./common.js";

export const meetingCancelledSchema = z.strictObject({
  meetingId: secretariatId,
  reason: singleLine(500).optional(),
});
export type MeetingCancelledDetail = z.infer<typeof meetingCancelledSchema>;

export const MeetingCancelled = defineEvent("Meeting Cancelled", meetingCancelledSchema);
