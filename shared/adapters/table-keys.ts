import type { ContactGroup } from "../domain/contacts.js";

/**
 * One table holds every entity; `pk`/`sk` address an item and the `audience` index
 * (`gsi1pk`/`gsi1sk`) lists contacts by group and member state, so an audience is a few
 * queries, never a scan.
 */
export const keys = {
  contact: (contactId: string) => ({ pk: `CONTACT#${contactId}`, sk: "CONTACT" }),
  contactAudience: (group: ContactGroup, representing: string, contactId: string) => ({
    gsi1pk: `AUDIENCE#${group}`,
    gsi1sk: `${representing}#${contactId}`,
  }),
  rejectedPartition: "REJECTED",
  rejected: (eventTime: string, eventId: string) => ({
    pk: "REJECTED",
    sk: `${eventTime}#${eventId}`,
  }),
} as const;

export const AUDIENCE_INDEX = "audience";
