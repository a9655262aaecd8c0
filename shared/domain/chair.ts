import type { ChairDesignatedDetail, ChairHandoverDetail } from "../contract/index.js";
import { type AudienceDirectory, audienceQuery } from "./audience.js";
import type { MeetingRepository } from "./meetings.js";
import {
  type ChairSnapshot,
  type NoticePublisher,
  type NoticeRepository,
  notify,
} from "./notices.js";
import { EventRejected } from "./rejections.js";
import { HORIZON_YEARS, horizonOf, startOfDate } from "./time.js";

export interface Handover {
  from: string;
  to: string;
  effectiveOn: string;
  meetingId?: string;
  /** The notice sent for it; none for the handover the system started with. */
  noticeId?: string;
}

export interface ChairState {
  current: string;
  since: string;
  /** The designated next Chair, or "TBC". */
  upcoming: "TBC" | { country: string; takesOfficeOn?: string; noticeId: string };
  /** Oldest first. */
  history: Handover[];
  /** Raised by every change: the condition of the next write. 0 is the fact sheet's state. */
  version: number;
  updatedAt?: string;
}

/** The Chairmanship as the fact sheet records it: South Sudan handed over to Germany at SOM 9. */
export const FACT_SHEET_CHAIR: ChairState = {
  current: "DE",
  since: "2023-03-16",
  upcoming: "TBC",
  history: [{ from: "SS", to: "DE", effectiveOn: "2023-03-16", meetingId: "som-9-berlin-2023" }],
  version: 0,
};

export interface ChairRepository {
  /** The stored state; undefined until the first change. */
  get(): Promise<ChairState | undefined>;
  /** Stores the state if it is still at `expectedVersion` (0: nothing stored yet). */
  save(state: ChairState, expectedVersion: number): Promise<boolean>;
}

export interface ChairContext {
  chair: ChairRepository;
  meetings: Pick<MeetingRepository, "get">;
  directory: AudienceDirectory;
  notices: NoticeRepository;
  publisher: NoticePublisher;
  chunkSize: number;
  now: Date;
}

export const CHAIR_SUBJECT = "CHAIR";

/** Another change of the Chair was stored between our read and our write: a retry applies it. */
export class ConcurrentChairChange extends Error {
  override name = "ConcurrentChairChange";
}

export async function currentChair(chair: ChairRepository): Promise<ChairState> {
  return (await chair.get()) ?? FACT_SHEET_CHAIR;
}

/** A late redelivery of an older Chair event must not undo a later one. */
function rejectIfOlder(state: ChairState, now: Date, what: string): void {
  if (state.updatedAt !== undefined && now.toISOString() < state.updatedAt) {
    throw new EventRejected(
      `The Chair was changed by a later event (at ${state.updatedAt}); this older ${what} was not applied.`,
    );
  }
}

/** A date further ahead than the horizon is a typo (2207 for 2027), not a plan. */
function rejectBeyondHorizon(field: string, date: string, now: Date): void {
  if (startOfDate(date) > horizonOf(now)) {
    throw new EventRejected(
      `${field} ${date} is more than ${HORIZON_YEARS} years after this event was sent (${now.toISOString()}); check the year.`,
    );
  }
}

/**
 * A handover is recorded when it takes effect: the venue's date may be a day ahead of UTC, no
 * more. Recorded ahead of time it would make `to` the Chair at once, and no later event could
 * correct its date (`from` would no longer be the Chair); the upcoming Chair and the date are
 * announced with Chair Designated (takesOfficeOn) instead, which a later designation replaces.
 */
function rejectFutureHandover(detail: ChairHandoverDetail, now: Date): void {
  const latest = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  if (detail.effectiveOn > latest) {
    throw new EventRejected(
      `The handover from ${detail.from} to ${detail.to} takes effect on ${detail.effectiveOn}, after this event was sent (${now.toISOString()}); put Chair Handover when it takes effect, and announce it now with Chair Designated (takesOfficeOn ${detail.effectiveOn}).`,
    );
  }
}

function sameHandover(a: Handover, b: ChairHandoverDetail): boolean {
  return a.from === b.from && a.to === b.to && a.effectiveOn === b.effectiveOn;
}

/** One Chair notice to an audience, once per contact. */
async function notifyChair(
  audience: "all" | "steering-committee",
  noticeId: string,
  kind: "chair-handover" | "chair-designation",
  chair: ChairSnapshot,
  context: ChairContext,
): Promise<void> {
  const recipients = await context.directory.listAudience(audienceQuery(audience));
  await notify(
    {
      subjectKey: CHAIR_SUBJECT,
      noticeId,
      kind,
      definedAt: context.now.toISOString(),
      recipientCount: recipients.length,
      chair,
      audience,
    },
    recipients,
    context,
  );
}

async function notifyHandover(handover: Handover, context: ChairContext): Promise<void> {
  if (handover.noticeId === undefined) return;
  const meeting =
    handover.meetingId === undefined ? undefined : await context.meetings.get(handover.meetingId);
  await notifyChair(
    "all",
    handover.noticeId,
    "chair-handover",
    {
      from: handover.from,
      to: handover.to,
      effectiveOn: handover.effectiveOn,
      ...(meeting === undefined ? {} : { meetingTitle: meeting.title }),
    },
    context,
  );
}

/**
 * Chair Handover:
 * 1. a handover already in the history is a duplicate: finish its notices, change nothing;
 * 2. `from` must be the current Chair, and the handover cannot predate the current Chair's start
 *    nor lie ahead of the event (see rejectFutureHandover);
 * 3. record it with a conditional write: of two handovers racing from the same Chair exactly one
 *    is stored, the other finds the Chair changed and is rejected;
 * 4. the upcoming Chair becomes TBC; every contact (audience "all") is told, once.
 */
export async function handOverChair(
  detail: ChairHandoverDetail,
  context: ChairContext,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const state = await currentChair(context.chair);
    const recorded = state.history.find((handover) => sameHandover(handover, detail));
    if (recorded !== undefined) {
      await notifyHandover(recorded, context);
      return;
    }
    rejectIfOlder(state, context.now, "handover");
    rejectFutureHandover(detail, context.now);
    if (state.current !== detail.from) {
      throw new EventRejected(
        `${detail.from} is not the current Chair: ${state.current} is, since ${state.since}. Nothing was changed.`,
      );
    }
    if (detail.effectiveOn < state.since) {
      throw new EventRejected(
        `The handover on ${detail.effectiveOn} predates ${state.current}'s Chairmanship (since ${state.since}).`,
      );
    }
    const handover: Handover = {
      from: detail.from,
      to: detail.to,
      effectiveOn: detail.effectiveOn,
      ...(detail.meetingId === undefined ? {} : { meetingId: detail.meetingId }),
      noticeId: `handover-${detail.effectiveOn}-${detail.from}-${detail.to}`,
    };
    const next: ChairState = {
      current: detail.to,
      since: detail.effectiveOn,
      upcoming: "TBC",
      history: [...state.history, handover],
      version: state.version + 1,
      updatedAt: context.now.toISOString(),
    };
    if (await context.chair.save(next, state.version)) {
      await notifyHandover(handover, context);
      return;
    }
    // Someone changed the Chair meanwhile: look again (the same handover is then a duplicate).
  }
  throw new ConcurrentChairChange(
    `The Chair changed twice while this handover from ${detail.from} was recorded; a retry applies it`,
  );
}

/**
 * Chair Designated:
 * 1. the current Chair cannot be designated as the next one, nor a date beyond the horizon;
 * 2. the same designation again is a duplicate (its notices are finished, nothing changes);
 * 3. record it and tell the Steering Committee (member states' contacts and the secretariat):
 *    the designation is theirs; partners learn of the new Chair at the handover.
 */
export async function designateChair(
  detail: ChairDesignatedDetail,
  context: ChairContext,
): Promise<void> {
  const state = await currentChair(context.chair);
  rejectIfOlder(state, context.now, "designation");
  if (detail.takesOfficeOn !== undefined) {
    rejectBeyondHorizon("takesOfficeOn", detail.takesOfficeOn, context.now);
  }
  if (detail.country === state.current) {
    throw new EventRejected(
      `${detail.country} is the current Chair (since ${state.since}); it cannot be designated as the next one.`,
    );
  }
  const same =
    state.upcoming !== "TBC" &&
    state.upcoming.country === detail.country &&
    state.upcoming.takesOfficeOn === detail.takesOfficeOn;
  let upcoming = state.upcoming;
  if (!same) {
    upcoming = {
      country: detail.country,
      ...(detail.takesOfficeOn === undefined ? {} : { takesOfficeOn: detail.takesOfficeOn }),
      noticeId: `designation-${detail.country}-v${state.version + 1}`,
    };
    const saved = await context.chair.save(
      { ...state, upcoming, version: state.version + 1, updatedAt: context.now.toISOString() },
      state.version,
    );
    if (!saved) {
      throw new ConcurrentChairChange("The Chair changed while the designation was recorded");
    }
  }
  if (upcoming === "TBC") return;
  await notifyChair(
    "steering-committee",
    upcoming.noticeId,
    "chair-designation",
    {
      from: state.current,
      to: upcoming.country,
      ...(upcoming.takesOfficeOn === undefined ? {} : { takesOfficeOn: upcoming.takesOfficeOn }),
    },
    context,
  );
}
