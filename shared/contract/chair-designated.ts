import { z } from "zod";
import { calendarDate, defineEvent, memberStateCode } from "./common.js";

export const chairDesignatedSchema = z.strictObject({
  country: memberStateCode,
  takesOfficeOn: calendarDate.optional(),
});
export type ChairDesignatedDetail = z.infer<typeof chairDesignatedSchema>;

export const ChairDesignated = defineEvent("Chair Designated", chairDesignatedSchema);
