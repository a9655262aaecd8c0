import {
  LANGUAGES,
  type Language,
  MeetingCancelled,
  type MeetingCancelledDetail,
  MeetingRescheduled,
  type MeetingRescheduledDetail,
  MeetingScheduled,
  type MeetingScheduledDetail,
} from "../contract/index.js";
import type { ConsoleEvent, ConsoleReads } from "../domain/console.js";
import { audienceContacts } from "../domain/console.js";
import type { Contact } from "../domain/contacts.js";
import { meetingSnapshot, meetingSubject } from "../domain/meetings.js";
import type { NoticeDefinition, NoticeKind } from "../domain/notices.js";
import { composeNotice, type Sender } from "./render.js";

export class NothingToPreview extends Error {
  override name = "NothingToPreview";
}

export interface NoticePreview {
  language: Language;
  /** The contact the notice was composed for; absent when the audience has none in the language. */
  contactId?: string;
  recipients: number;
  subject: string;
  text: string;
  html: string;
}

/** Stands for an audience that has no contact yet, so the officer still sees the notice. */
const SAMPLE_CONTACT: Contact = {
  contactId: "sample-contact",
  name: "Sample Contact",
  email: "sample@example.org",
  memberState: "DE",
  roles: [],
  language: "en",
  timeZone: "Europe/Berlin",
  reminders: true,
  updatedAt: "2000-01-01T00:00:00.000Z",
};

/**
 * The notice a meeting event would send, once per language of its audience, composed for a
 * contact of the audience who reads that language: what they will receive, before it is put.
 */
export async function previewMeetingNotice(
  reads: ConsoleReads,
  event: ConsoleEvent,
  sender: Sender,
  now: Date,
): Promise<NoticePreview[]> {
  const { meeting, kind } = await previewedMeeting(reads, event);
  const definition: NoticeDefinition = {
    subjectKey: meetingSubject(meeting.meetingId),
    noticeId: `${kind}-preview`,
    kind,
    definedAt: now.toISOString(),
    recipientCount: 0,
    meeting: meetingSnapshot(meeting),
    audience: meeting.audience,
  };
  const contacts = await audienceContacts(reads, meeting.audience);
  const reachable = contacts.filter((contact) => contact.suppressed === undefined);
  const previews = LANGUAGES.flatMap((language) => {
    const readers = reachable.filter((contact) => contact.language === language);
    const reader = readers[0];
    if (reader === undefined) return [];
    return [{ language, reader, recipients: readers.length }];
  });
  const shown =
    previews.length > 0
      ? previews
      : [{ language: "en" as const, reader: undefined, recipients: 0 }];
  return shown.map(({ language, reader, recipients }) => {
    const email = composeNotice(definition, reader ?? SAMPLE_CONTACT, sender);
    return {
      language,
      ...(reader === undefined ? {} : { contactId: reader.contactId }),
      recipients,
      subject: email.subject,
      text: email.text,
      html: email.html,
    };
  });
}

type PreviewedMeeting = MeetingScheduledDetail & { sequence: number; reason?: string };

async function previewedMeeting(
  reads: ConsoleReads,
  event: ConsoleEvent,
): Promise<{ meeting: PreviewedMeeting; kind: NoticeKind }> {
  if (event.detailType === MeetingScheduled.detailType) {
    return {
      meeting: { ...(event.detail as MeetingScheduledDetail), sequence: 0 },
      kind: "invitation",
    };
  }
  const detail = event.detail as MeetingRescheduledDetail | MeetingCancelledDetail;
  const stored = await reads.meetings.get(detail.meetingId);
  if (stored === undefined) throw new NothingToPreview(`There is no meeting ${detail.meetingId}.`);
  const reason = detail.reason === undefined ? {} : { reason: detail.reason };
  if (event.detailType === MeetingRescheduled.detailType) {
    const moved = detail as MeetingRescheduledDetail;
    return {
      meeting: {
        ...stored,
        startsAt: moved.startsAt,
        endsAt: moved.endsAt,
        timeZone: moved.timeZone ?? stored.timeZone,
        venue: moved.venue ?? stored.venue,
        sequence: stored.sequence + 1,
        ...reason,
      },
      kind: "update",
    };
  }
  if (event.detailType === MeetingCancelled.detailType) {
    return {
      meeting: { ...stored, sequence: stored.sequence + 1, ...reason },
      kind: "cancellation",
    };
  }
  throw new NothingToPreview(`A ${event.detailType} sends no meeting notice to preview.`);
}
