import {
  type ContactUpsertedDetail,
  contactUpsertedSchema,
  type MeetingScheduledDetail,
  meetingScheduledSchema,
} from "../../shared/contract/index.js";
import erikaJson from "../events/contact-upserted/de-focal-point-1.json";
import som9Json from "../events/meeting-scheduled/som-9-berlin-2023-with-venue-name-and-agenda.json";

/** The contract's own examples (EVENTS.md), from the fixtures under test/events. */
export const SOM9_DETAIL: MeetingScheduledDetail = meetingScheduledSchema.parse(som9Json);
export const ERIKA_DETAIL: ContactUpsertedDetail = contactUpsertedSchema.parse(erikaJson);
