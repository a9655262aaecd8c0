import type {
  MeetingCancelledDetail,
  MeetingRescheduledDetail,
  MeetingScheduledDetail,
} from "../contract/index.js";
import { type AudienceDirectory, audienceQuery } from "./audience.js";
import {
  type MeetingSnapshot,
  type NoticeDefinition,
  type NoticeKind,
  type NoticePublisher,
  type NoticeRepository,
  notify,
} from "./notices.js";
import { EventRejected } from "./rejections.js";
import { durationMs, InvalidLocalTime, instantAt } from "./time.js";

/** A meeting as stored: the scheduled detail, its state, and the SEQUENCE of its calendar entry. */
export interface Meeting extends MeetingScheduledDetail {
  status: "scheduled" | "cancelled";
  /** 0 when scheduled; each reschedule or cancellation raises it (the iCalendar SEQUENCE). */
  sequence: number;
  /** The Meeting Scheduled detail as first received, to tell a duplicate from a conflict. */
  scheduledDetail: string;
  updatedAt: string;
  /** The reason given with the last change. */
  reason?: string;
}

/** A reminder waiting for its time; it belongs to one version (sequence) of the meeting. */
export interface Reminder {
  meetingId: string;
  offset: string;
  dueAt: string;
  sequence: number;
}

export interface MeetingRepository {
  /** Stores a new meeting; answers the stored one instead when the id is taken. */
  create(meeting: Meeting): Promise<Meeting | undefined>;
  get(meetingId: string): Promise<Meeting | undefined>;
  /** Replaces the meeting if nobody changed it since `expectedSequence`. */
  replace(meeting: Meeting, expectedSequence: number): Promise<boolean>;
  list(): Promise<Meeting[]>;
  replaceReminders(meetingId: string, reminders: Reminder[]): Promise<void>;
  dueReminders(now: Date): Promise<Reminder[]>;
  removeReminder(reminder: Reminder): Promise<void>;
}

/** Someone else changed the meeting between our read and our write: a retry sorts it out. */
export class ConcurrentMeetingChange extends Error {
  override name = "ConcurrentMeetingChange";
}

export interface MeetingContext {
  meetings: MeetingRepository;
  directory: AudienceDirectory;
  notices: NoticeRepository;
  publisher: NoticePublisher;
  chunkSize: number;
  /** When the event happened (its EventBridge `time`). */
  now: Date;
  /** Reminders before the start, as ISO 8601 durations ("P14D", "P2D"). */
  reminderOffsets: readonly string[];
}

/** JSON with sorted keys: equal details give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function meetingSubject(meetingId: string): string {
  return `MEETING#${meetingId}`;
}

function checkedInstants(times: { startsAt: string; endsAt: string; timeZone: string }) {
  try {
    const start = instantAt(times.startsAt, times.timeZone);
    const end = instantAt(times.endsAt, times.timeZone);
    if (end <= start) throw new EventRejected("endsAt must be after startsAt");
    return { start, end };
  } catch (error) {
    if (error instanceof InvalidLocalTime) throw new EventRejected(error.message);
    throw error;
  }
}

function snapshot(meeting: Meeting): MeetingSnapshot {
  return {
    meetingId: meeting.meetingId,
    kind: meeting.kind,
    title: meeting.title,
    startsAt: meeting.startsAt,
    endsAt: meeting.endsAt,
    timeZone: meeting.timeZone,
    venue: meeting.venue,
    sequence: meeting.sequence,
    ...(meeting.description === undefined ? {} : { description: meeting.description }),
    ...(meeting.agendaUrl === undefined ? {} : { agendaUrl: meeting.agendaUrl }),
    ...(meeting.reason === undefined ? {} : { reason: meeting.reason }),
  };
}

/** Reminders still ahead of `now`; one whose time has passed is not scheduled. */
export function plannedReminders(
  meeting: Meeting,
  offsets: readonly string[],
  now: Date,
): Reminder[] {
  const start = instantAt(meeting.startsAt, meeting.timeZone).getTime();
  return offsets
    .map((offset) => ({
      meetingId: meeting.meetingId,
      offset,
      dueAt: new Date(start - durationMs(offset)).toISOString(),
      sequence: meeting.sequence,
    }))
    .filter((reminder) => new Date(reminder.dueAt) > now);
}

async function notifyAudience(
  meeting: Meeting,
  kind: NoticeKind,
  noticeId: string,
  context: MeetingContext,
  options: { remindersOnly?: boolean; reminderOffset?: string } = {},
): Promise<NoticeDefinition> {
  const audience = await context.directory.listAudience(audienceQuery(meeting.audience));
  const recipients = options.remindersOnly
    ? audience.filter((contact) => contact.reminders !== false)
    : audience;
  const definition: NoticeDefinition = {
    subjectKey: meetingSubject(meeting.meetingId),
    noticeId,
    kind,
    definedAt: context.now.toISOString(),
    recipientCount: recipients.length,
    meeting: snapshot(meeting),
    audience: meeting.audience,
    ...(options.reminderOffset === undefined ? {} : { reminderOffset: options.reminderOffset }),
  };
  return notify(definition, recipients, context);
}

const invitationId = () => "invitation-v0";
const updateId = (sequence: number) => `update-v${sequence}`;
const cancellationId = (sequence: number) => `cancellation-v${sequence}`;

/**
 * Meeting Scheduled:
 * 1. check the times exist at the venue and the end follows the start;
 * 2. store the meeting (SEQUENCE 0); the same meetingId with the same detail is a duplicate,
 *    with another detail it is rejected (a change is a Meeting Rescheduled);
 * 3. plan the reminders still ahead;
 * 4. invite the audience: one invitation per contact, handed to the sender in chunks.
 */
export async function scheduleMeeting(detail: MeetingScheduledDetail, context: MeetingContext) {
  checkedInstants(detail);
  const meeting: Meeting = {
    ...detail,
    status: "scheduled",
    sequence: 0,
    scheduledDetail: canonicalJson(detail),
    updatedAt: context.now.toISOString(),
  };
  const existing = await context.meetings.create(meeting);
  if (existing !== undefined) {
    if (existing.scheduledDetail !== meeting.scheduledDetail) {
      throw new EventRejected(
        `Meeting ${detail.meetingId} is already scheduled with other details; change it with Meeting Rescheduled, or use another meetingId.`,
      );
    }
    // A duplicate. Finish what an earlier try may have left undone, if the meeting is unchanged.
    if (existing.status !== "scheduled" || existing.sequence !== 0) return;
  }
  await context.meetings.replaceReminders(
    meeting.meetingId,
    plannedReminders(meeting, context.reminderOffsets, context.now),
  );
  await notifyAudience(meeting, "invitation", invitationId(), context);
}

function sameVenue(a: Meeting["venue"], b: Meeting["venue"]): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

async function changeableMeeting(meetingId: string, context: MeetingContext, action: string) {
  const meeting = await context.meetings.get(meetingId);
  if (meeting === undefined) {
    throw new EventRejected(`There is no meeting ${meetingId} to ${action}.`);
  }
  return meeting;
}

/**
 * Meeting Rescheduled:
 * 1. the meeting must exist and not be cancelled;
 * 2. the new times (and zone and venue, when given) must exist and end after they start;
 * 3. a reschedule to where the meeting already is is the last reschedule again: it finishes
 *    that one's notices and sends nothing new;
 * 4. otherwise raise the SEQUENCE, store, move the reminders, and send the update to the audience.
 */
export async function rescheduleMeeting(detail: MeetingRescheduledDetail, context: MeetingContext) {
  const meeting = await changeableMeeting(detail.meetingId, context, "reschedule");
  if (meeting.status === "cancelled") {
    throw new EventRejected(`Meeting ${detail.meetingId} was cancelled; it cannot be rescheduled.`);
  }
  const timeZone = detail.timeZone ?? meeting.timeZone;
  const venue = detail.venue ?? meeting.venue;
  checkedInstants({ startsAt: detail.startsAt, endsAt: detail.endsAt, timeZone });
  if (context.now.toISOString() < meeting.updatedAt) {
    // A late redelivery of an older change must not move the meeting back.
    throw new EventRejected(
      `Meeting ${detail.meetingId} was changed by a later event (at ${meeting.updatedAt}); this older reschedule was not applied.`,
    );
  }
  const unchanged =
    detail.startsAt === meeting.startsAt &&
    detail.endsAt === meeting.endsAt &&
    timeZone === meeting.timeZone &&
    sameVenue(venue, meeting.venue);
  if (unchanged) {
    if (meeting.sequence === 0) {
      throw new EventRejected(
        `Meeting ${detail.meetingId} already takes place at that time and venue; nothing to change.`,
      );
    }
    // The last reschedule again (or its retry): finish what it may have left undone.
    await context.meetings.replaceReminders(
      meeting.meetingId,
      plannedReminders(meeting, context.reminderOffsets, context.now),
    );
    await notifyAudience(meeting, "update", updateId(meeting.sequence), context);
    return;
  }
  const moved: Meeting = {
    ...meeting,
    startsAt: detail.startsAt,
    endsAt: detail.endsAt,
    timeZone,
    venue,
    sequence: meeting.sequence + 1,
    updatedAt: context.now.toISOString(),
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
  };
  if (detail.reason === undefined) delete moved.reason;
  if (!(await context.meetings.replace(moved, meeting.sequence))) {
    throw new ConcurrentMeetingChange(`Meeting ${detail.meetingId} changed meanwhile`);
  }
  await context.meetings.replaceReminders(
    moved.meetingId,
    plannedReminders(moved, context.reminderOffsets, context.now),
  );
  await notifyAudience(moved, "update", updateId(moved.sequence), context);
}

/**
 * Meeting Cancelled:
 * 1. the meeting must exist; cancelling it again finishes the first cancellation's notices;
 * 2. mark it cancelled with a raised SEQUENCE, drop its reminders;
 * 3. send the cancellation (a calendar CANCEL) to the audience.
 */
export async function cancelMeeting(detail: MeetingCancelledDetail, context: MeetingContext) {
  const meeting = await changeableMeeting(detail.meetingId, context, "cancel");
  if (meeting.status === "cancelled") {
    await context.meetings.replaceReminders(meeting.meetingId, []);
    await notifyAudience(meeting, "cancellation", cancellationId(meeting.sequence), context);
    return;
  }
  const cancelled: Meeting = {
    ...meeting,
    status: "cancelled",
    sequence: meeting.sequence + 1,
    updatedAt: context.now.toISOString(),
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
  };
  if (detail.reason === undefined) delete cancelled.reason;
  if (!(await context.meetings.replace(cancelled, meeting.sequence))) {
    throw new ConcurrentMeetingChange(`Meeting ${detail.meetingId} changed meanwhile`);
  }
  await context.meetings.replaceReminders(cancelled.meetingId, []);
  await notifyAudience(cancelled, "cancellation", cancellationId(cancelled.sequence), context);
}

/**
 * The periodic sweep of due reminders:
 * 1. find the reminders whose time has come;
 * 2. drop any that belong to an older version of the meeting, a cancelled one or one already
 *    begun (never a reminder for a time already past);
 * 3. send the rest to the audience's contacts who want reminders, then drop the reminder.
 *    A crash before the drop sends again to no one: the outbox holds who already has it.
 */
export async function sendDueReminders(context: MeetingContext): Promise<number> {
  let sent = 0;
  const due = await context.meetings.dueReminders(context.now);
  // When two reminders of a meeting are due at once (the sweep was late), only the one nearest
  // the start is sent: "in 14 days" two days before would be wrong.
  const nearest = new Map<string, Reminder>();
  for (const reminder of due) {
    const other = nearest.get(reminder.meetingId);
    if (other === undefined || reminder.dueAt > other.dueAt)
      nearest.set(reminder.meetingId, reminder);
  }
  for (const reminder of due) {
    const meeting = await context.meetings.get(reminder.meetingId);
    const current =
      nearest.get(reminder.meetingId) === reminder &&
      meeting !== undefined &&
      meeting.status === "scheduled" &&
      meeting.sequence === reminder.sequence &&
      instantAt(meeting.startsAt, meeting.timeZone) > context.now;
    if (current) {
      await notifyAudience(
        meeting,
        "reminder",
        `reminder-${reminder.offset}-v${reminder.sequence}`,
        context,
        { remindersOnly: true, reminderOffset: reminder.offset },
      );
      sent += 1;
    }
    await context.meetings.removeReminder(reminder);
  }
  return sent;
}
