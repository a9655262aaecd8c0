import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
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

/**
 * Whole years that move the fact sheet's meetings (2022–2023) ahead of today: 2022 becomes next
 * year plus one, well inside the five-year horizon. Whole years keep each local time and date
 * as the fact sheet has them (only weekdays differ), so audiences and texts stay the fact sheet's.
 */
export const YEARS_AHEAD = new Date().getUTCFullYear() + 2 - 2022;

/** "2023-03-16T09:00" or "som-9-berlin-2023" with its year moved ahead by `years`. */
export function yearsAhead(text: string, years = YEARS_AHEAD): string {
  return text.replace(/\b(20\d\d)(?=-\d\d-\d\dT|$)/, (year) => String(Number(year) + years));
}

/**
 * The fact sheet's PutEvents entries as future meetings: the same details with startsAt, endsAt
 * and the year in the meetingId moved ahead by whole years (a meeting already over is recorded
 * without notices, so tests of invitations use these copies).
 */
export function futureEntries(
  entries: readonly PutEventsRequestEntry[],
  years = YEARS_AHEAD,
): PutEventsRequestEntry[] {
  return entries.map((entry) => {
    const detail = JSON.parse(entry.Detail ?? "{}") as Record<string, unknown>;
    for (const field of ["meetingId", "startsAt", "endsAt"]) {
      if (typeof detail[field] === "string") detail[field] = yearsAhead(detail[field], years);
    }
    return { ...entry, Detail: JSON.stringify(detail) };
  });
}
