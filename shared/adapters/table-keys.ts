import type { ContactGroup } from "../domain/contacts.js";

const OPEN_NOTICES = "OPEN_NOTICES";

/**
 * One table holds every entity; `pk`/`sk` address an item. The `lists` index (`gsi1pk`/`gsi1sk`)
 * lists what is read as a list, so nothing is ever scanned: contacts by audience group and member
 * state, meetings by start, reminders by the time they are due, open notices. A notice record
 * (one per recipient) is in no index: each email writes its record three times (claimed, sent,
 * delivered) and nothing else; a contact's records are found by key (`noticeRecord`).
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
  meeting: (meetingId: string) => ({ pk: `MEETING#${meetingId}`, sk: "MEETING" }),
  meetingList: (startsAt: string, meetingId: string) => ({
    gsi1pk: "MEETINGS",
    gsi1sk: `${startsAt}#${meetingId}`,
  }),
  reminder: (meetingId: string, offset: string) => ({
    pk: `MEETING#${meetingId}`,
    sk: `REMINDER#${offset}`,
  }),
  reminderDue: (dueAt: string, meetingId: string, offset: string) => ({
    gsi1pk: "REMINDERS",
    gsi1sk: `${dueAt}#${meetingId}#${offset}`,
  }),
  noticeDefinition: (subjectKey: string, noticeId: string) => ({
    pk: subjectKey,
    sk: `NOTICEDEF#${noticeId}`,
  }),
  noticeRecord: (subjectKey: string, noticeId: string, contactId: string) => ({
    pk: subjectKey,
    sk: `NOTICE#${noticeId}#${contactId}`,
  }),
  /** The recipients of one chunk of a notice, as handed to the sender. */
  noticeChunk: (subjectKey: string, noticeId: string, index: number) => ({
    pk: subjectKey,
    sk: `NOTICECHUNK#${noticeId}#${String(index).padStart(5, "0")}`,
  }),
  /** Lists a notice on its definition until every recipient has a final record. */
  openNotice: (definedAt: string, subjectKey: string, noticeId: string) => ({
    gsi1pk: OPEN_NOTICES,
    gsi1sk: `${definedAt}#${subjectKey}#${noticeId}`,
  }),
  /** A contact's current answer to a meeting's invitation (the latest by the answer's own time). */
  rsvp: (meetingId: string, contactId: string) => ({
    pk: `MEETING#${meetingId}`,
    sk: `RSVP#${contactId}`,
  }),
  /** Every answer as it came, kept beside the current one. */
  rsvpAnswer: (meetingId: string, contactId: string, answeredAt: string, channel: string) => ({
    pk: `MEETING#${meetingId}`,
    sk: `RSVPLOG#${contactId}#${answeredAt}#${channel}`,
  }),
  /** Finds a notice record from the provider's message id (delivery events name only that). */
  message: (messageId: string) => ({ pk: `MESSAGE#${messageId}`, sk: "MESSAGE" }),
} as const;

export const LISTS_INDEX = "lists";
