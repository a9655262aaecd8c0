import { z } from "zod";
import { calendarDate, defineEvent, memberStateCode, secretariatId } from "./common.js";

export const chairHandoverSchema = z
  .strictObject({
    from: memberStateCode,
    to: memberStateCode,
    effectiveOn: calendarDate,
    meetingId: secretariatId.optional(),
  })
  .refine((handover) => handover.to !== handover.from, {
    message: "to must differ from from: the Chair cannot be handed to itself",
    path: ["to"],
  });
export type ChairHandoverDetail = z.infer<typeof chairHandoverSchema>;

export const ChairHandover = defineEvent("Chair Handover", chairHandoverSchema);
