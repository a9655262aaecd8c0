import type {
  MeetingCancelledDetail,
  MeetingRescheduledDetail,
  MeetingScheduledDetail,
} from "../contract/index.js";
import { type AudienceDirectory, audienceQuery } from "./audience.js";
import {
  type MeetingPlace,
  type MeetingSnapshot,
  type NoticeDefinition,
  type NoticeKind,
  type NoticePublisher,
  type NoticeRepository,
  notify,
} from "./notices.js";
import { EventRejected } from "./rejections.js";
import type { DeclinedContacts } from "./rsvp.js";
import { durationMs, HORIZON_YEARS, horizonOf, InvalidLocalTime, instantAt } from "./time.js";

/** A meeting as stored: the scheduled detail, its state, and the SEQUENCE of its calendar entry. */
export interface Meeting extends MeetingScheduledDetail {
  status: "scheduled" | "cancelled";
  /** 0 when scheduled; each reschedule or cancellation raises it (the iCalendar SEQUENCE). */
  sequence: number;
  /** The Meeting Scheduled detail as first received, to tell a duplicate from a conflict. */
  scheduledDetail: string;
  /** The time of the Meeting Scheduled: a cancellation sent before it is about an earlier use of the id. */
  scheduledAt?: string;
  updatedAt: string;
  /** The reason given with the last change. */
  reason?: string;
  /** Where and when the meeting was before the last reschedule (absent on older records). */
  previous?: MeetingPlace;
  /** Why the last change reached no one: the meeting had already ended. */
  notNotified?: string;
}

/**
 * A Meeting Cancelled for an id no Meeting Scheduled has used yet: EventBridge may deliver the
 * cancellation before the scheduling it refers to. Kept so that such a late Meeting Scheduled
 * is refused instead of inviting everyone to a cancelled meeting.
 */
export interface CancelledBeforeScheduled {
  meetingId: string;
  status: "cancelled-before-scheduled";
  /** The time of the latest such cancellation: a Meeting Scheduled sent at or before it is refused. */
  cancelledAt: string;
  reason?: string;
}

export type StoredMeeting = Meeting | CancelledBeforeScheduled;

/** A reminder waiting for its time; it belongs to one version (sequence) of the meeting. */
export interface Reminder {
  meetingId: string;
  offset: string;
  dueAt: string;
  sequence: number;
}

export interface MeetingRepository {
  /**
   * Stores a new meeting, also in place of a cancellation kept for its id that is older than the
   * meeting's `scheduledAt`; answers what is stored instead otherwise.
   */
  create(meeting: Meeting): Promise<StoredMeeting | undefined>;
  /** The meeting; undefined for an unknown id and for one only cancelled before it was scheduled. */
  get(meetingId: string): Promise<Meeting | undefined>;
  /** The meeting, or the cancellation kept for an id not scheduled yet. */
  find(meetingId: string): Promise<StoredMeeting | undefined>;
  /**
   * Keeps an unused id as cancelled, or moves a kept cancellation to this later time; answers
   * what is stored instead (a meeting, or a cancellation kept at the same time or later).
   */
  keepCancelled(cancellation: CancelledBeforeScheduled): Promise<StoredMeeting | undefined>;
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
  /** Who declined: they get no reminders. */
  rsvps?: DeclinedContacts;
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

function checkedInstants(times: { startsAt: string; endsAt: string; timeZone: string }, now: Date) {
  try {
    const start = instantAt(times.startsAt, times.timeZone);
    const end = instantAt(times.endsAt, times.timeZone);
    if (end <= start) throw new EventRejected("endsAt must be after startsAt");
    if (start > horizonOf(now)) {
      throw new EventRejected(
        `startsAt ${times.startsAt} is more than ${HORIZON_YEARS} years after this event was sent (${now.toISOString()}); check the year.`,
      );
    }
    return { start, end };
  } catch (error) {
    if (error instanceof InvalidLocalTime) throw new EventRejected(error.message);
    throw error;
  }
}

/** Whether the meeting's end, at the venue, is before `now`. */
export function hasEnded(meeting: Pick<Meeting, "endsAt" | "timeZone">, now: Date): boolean {
  return instantAt(meeting.endsAt, meeting.timeZone) < now;
}

/** The record of a change no one is told about, since the meeting is over. */
function endedNote(meeting: Meeting, change: string, now: Date): string {
  const end = instantAt(meeting.endsAt, meeting.timeZone).toISOString();
  return `the meeting had already ended when it was ${change} (it ended at ${end}, the event was sent at ${now.toISOString()}): no notice was sent`;
}

/** The meeting as stored after a change: with the note when no one is told, without one otherwise. */
function noted(meeting: Meeting, note: string | undefined): Meeting {
  const { notNotified: _earlier, ...rest } = meeting;
  return note === undefined ? rest : { ...rest, notNotified: note };
}

/** The meeting as one notice describes it: fixed when the notice is defined. */
export function meetingSnapshot(
  meeting: MeetingScheduledDetail & Pick<Meeting, "sequence" | "reason" | "previous">,
): MeetingSnapshot {
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
    ...(meeting.previous === undefined ? {} : { previous: meeting.previous }),
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
  // A member who declined is not reminded of the meeting.
  const declined = options.remindersOnly
    ? ((await context.rsvps?.declinedContacts(meeting.meetingId)) ?? new Set<string>())
    : new Set<string>();
  const recipients = options.remindersOnly
    ? audience.filter((contact) => contact.reminders !== false && !declined.has(contact.contactId))
    : audience;
  const definition: NoticeDefinition = {
    subjectKey: meetingSubject(meeting.meetingId),
    noticeId,
    kind,
    definedAt: context.now.toISOString(),
    recipientCount: recipients.length,
    meeting: meetingSnapshot(meeting),
    audience: meeting.audience,
    ...(options.reminderOffset === undefined ? {} : { reminderOffset: options.reminderOffset }),
  };
  return notify(definition, recipients, context);
}

const invitationId = () => "invitation-v0";
const updateId = (sequence: number) => `update-v${sequence}`;

/** The meeting's latest calendar REQUEST: its invitation, or the update of its sequence. */
export function currentRequestId(meeting: Pick<Meeting, "sequence">): string {
  return meeting.sequence === 0 ? invitationId() : updateId(meeting.sequence);
}
const cancellationId = (sequence: number) => `cancellation-v${sequence}`;

/**
 * Meeting Scheduled:
 * 1. check the times exist at the venue, the end follows the start and the start is within the
 *    horizon (HORIZON_YEARS after the event);
 * 2. store the meeting (SEQUENCE 0); the same meetingId with the same detail is a duplicate,
 *    with another detail it is rejected (a change is a Meeting Rescheduled); an id cancelled
 *    before it was scheduled refuses a Meeting Scheduled sent at or before that cancellation;
 * 3. a meeting that had already ended when the event was sent is recorded, and no one is told;
 * 4. otherwise plan the reminders still ahead and invite the audience: one invitation per
 *    contact, handed to the sender in chunks.
 */
export async function scheduleMeeting(detail: MeetingScheduledDetail, context: MeetingContext) {
  checkedInstants(detail, context.now);
  const fresh: Meeting = {
    ...detail,
    status: "scheduled",
    sequence: 0,
    scheduledDetail: canonicalJson(detail),
    scheduledAt: context.now.toISOString(),
    updatedAt: context.now.toISOString(),
  };
  const meeting = noted(
    fresh,
    hasEnded(fresh, context.now) ? endedNote(fresh, "scheduled", context.now) : undefined,
  );
  const existing = await context.meetings.create(meeting);
  if (existing?.status === "cancelled-before-scheduled") {
    throw new EventRejected(
      `Meeting ${detail.meetingId} was cancelled (by an event sent at ${existing.cancelledAt}) before this Meeting Scheduled, sent at ${meeting.scheduledAt}, arrived; it was not scheduled and no one was invited. To schedule it after all, put Meeting Scheduled again.`,
    );
  }
  if (existing !== undefined) {
    if (existing.scheduledDetail !== meeting.scheduledDetail) {
      throw new EventRejected(
        `Meeting ${detail.meetingId} is already scheduled with other details; change it with Meeting Rescheduled, or use another meetingId.`,
      );
    }
    // A duplicate. Finish what an earlier try may have left undone, if the meeting is unchanged.
    if (existing.status !== "scheduled" || existing.sequence !== 0) return;
    if (existing.notNotified !== undefined) return;
  }
  if (meeting.notNotified !== undefined) return;
  await context.meetings.replaceReminders(
    meeting.meetingId,
    plannedReminders(meeting, context.reminderOffsets, context.now),
  );
  await notifyAudience(meeting, "invitation", invitationId(), context);
}

function sameVenue(a: Meeting["venue"], b: Meeting["venue"]): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Meeting Rescheduled:
 * 1. the meeting must exist and not be cancelled;
 * 2. the new times (and zone and venue, when given) must exist, end after they start and start
 *    within the horizon;
 * 3. a reschedule to where the meeting already is is the last reschedule again: it finishes
 *    that one's notices and sends nothing new;
 * 4. otherwise raise the SEQUENCE, store, move the reminders, and send the update to the
 *    audience, unless both the meeting as it was and as it is now had ended when the event was
 *    sent: then the change is recorded and no one is told.
 */
export async function rescheduleMeeting(detail: MeetingRescheduledDetail, context: MeetingContext) {
  const meeting = await context.meetings.get(detail.meetingId);
  if (meeting === undefined) {
    throw new EventRejected(`There is no meeting ${detail.meetingId} to reschedule.`);
  }
  if (meeting.status === "cancelled") {
    throw new EventRejected(`Meeting ${detail.meetingId} was cancelled; it cannot be rescheduled.`);
  }
  const timeZone = detail.timeZone ?? meeting.timeZone;
  const venue = detail.venue ?? meeting.venue;
  checkedInstants({ startsAt: detail.startsAt, endsAt: detail.endsAt, timeZone }, context.now);
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
    if (meeting.notNotified !== undefined) return;
    // The last reschedule again (or its retry): finish what it may have left undone.
    await context.meetings.replaceReminders(
      meeting.meetingId,
      plannedReminders(meeting, context.reminderOffsets, context.now),
    );
    await notifyAudience(meeting, "update", updateId(meeting.sequence), context);
    return;
  }
  const movedTimes: Meeting = {
    ...meeting,
    startsAt: detail.startsAt,
    endsAt: detail.endsAt,
    timeZone,
    venue,
    sequence: meeting.sequence + 1,
    updatedAt: context.now.toISOString(),
    // The update says what changed: the times and venue before this reschedule.
    previous: {
      startsAt: meeting.startsAt,
      endsAt: meeting.endsAt,
      timeZone: meeting.timeZone,
      venue: meeting.venue,
    },
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
  };
  if (detail.reason === undefined) delete movedTimes.reason;
  // Whoever holds the meeting in a calendar (its old times still ahead) learns where it went.
  const over = hasEnded(meeting, context.now) && hasEnded(movedTimes, context.now);
  const moved = noted(
    movedTimes,
    over ? endedNote(movedTimes, "rescheduled", context.now) : undefined,
  );
  if (!(await context.meetings.replace(moved, meeting.sequence))) {
    throw new ConcurrentMeetingChange(`Meeting ${detail.meetingId} changed meanwhile`);
  }
  await context.meetings.replaceReminders(
    moved.meetingId,
    plannedReminders(moved, context.reminderOffsets, context.now),
  );
  if (over) return;
  await notifyAudience(moved, "update", updateId(moved.sequence), context);
}

/**
 * A Meeting Cancelled for an id no meeting has: keep the id as cancelled, so that a Meeting
 * Scheduled sent before this cancellation (and delivered after it) is refused. Answers the
 * meeting when one was scheduled meanwhile; otherwise the officer is told the id was unknown.
 */
async function keepCancelledBeforeScheduled(
  detail: MeetingCancelledDetail,
  context: MeetingContext,
): Promise<Meeting> {
  const stored = await context.meetings.keepCancelled({
    meetingId: detail.meetingId,
    status: "cancelled-before-scheduled",
    cancelledAt: context.now.toISOString(),
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
  });
  if (stored !== undefined && stored.status !== "cancelled-before-scheduled") return stored;
  throw new EventRejected(
    `There is no meeting ${detail.meetingId} yet: it is kept as cancelled, so that a Meeting Scheduled for it sent at or before ${context.now.toISOString()} is refused (one put later schedules it). Check the meetingId.`,
  );
}

/**
 * Meeting Cancelled:
 * 1. an id no meeting has is kept as cancelled (see keepCancelledBeforeScheduled) and the
 *    cancellation is listed as rejected, so a mistyped id does not go unnoticed;
 * 2. a cancellation sent before the meeting was scheduled refers to an earlier use of the id:
 *    it is rejected; cancelling a cancelled meeting again finishes the first cancellation's notices;
 * 3. mark it cancelled with a raised SEQUENCE, drop its reminders;
 * 4. send the cancellation (a calendar CANCEL) to the audience, unless the meeting had already
 *    ended when the event was sent: then it is recorded and no one is told.
 */
export async function cancelMeeting(detail: MeetingCancelledDetail, context: MeetingContext) {
  const stored = await context.meetings.find(detail.meetingId);
  const meeting =
    stored === undefined || stored.status === "cancelled-before-scheduled"
      ? await keepCancelledBeforeScheduled(detail, context)
      : stored;
  if (meeting.scheduledAt !== undefined && context.now.toISOString() < meeting.scheduledAt) {
    throw new EventRejected(
      `Meeting ${detail.meetingId} was scheduled by an event sent at ${meeting.scheduledAt}, after this cancellation (sent at ${context.now.toISOString()}); the cancellation was not applied.`,
    );
  }
  if (meeting.status === "cancelled") {
    await context.meetings.replaceReminders(meeting.meetingId, []);
    if (meeting.notNotified !== undefined) return;
    await notifyAudience(meeting, "cancellation", cancellationId(meeting.sequence), context);
    return;
  }
  const marked: Meeting = {
    ...meeting,
    status: "cancelled",
    sequence: meeting.sequence + 1,
    updatedAt: context.now.toISOString(),
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
  };
  if (detail.reason === undefined) delete marked.reason;
  const over = hasEnded(meeting, context.now);
  const cancelled = noted(marked, over ? endedNote(marked, "cancelled", context.now) : undefined);
  if (!(await context.meetings.replace(cancelled, meeting.sequence))) {
    throw new ConcurrentMeetingChange(`Meeting ${detail.meetingId} changed meanwhile`);
  }
  await context.meetings.replaceReminders(cancelled.meetingId, []);
  if (over) return;
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
