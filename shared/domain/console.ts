import type { z } from "zod";
import type { Audience } from "../contract/index.js";
import { CONTRACT_EVENTS, findContractEvent } from "../contract/index.js";
import { type AudienceDirectory, audienceQuery } from "./audience.js";
import type { ChairRepository } from "./chair.js";
import { currentChair } from "./chair.js";
import type { Contact, ContactRepository } from "./contacts.js";
import { type CoverageReport, coverageReport } from "./coverage.js";
import type { HealthReads, QueueCount, SesAccountState } from "./health.js";
import { hasEnded, type Meeting, type MeetingRepository, meetingSubject } from "./meetings.js";
import type { NoticeDefinition, NoticeRecord } from "./notices.js";
import type { RejectedEvent } from "./rejections.js";
import type { RsvpAnswer } from "./rsvp.js";

/** Officers may put events; viewers only read. The Cognito groups are named for them. */
export const CONSOLE_ROLES = { officers: "officer", viewers: "viewer" } as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[keyof typeof CONSOLE_ROLES];

/** Who signed in to the console, from the verified token's claims. */
export interface ConsoleUser {
  username: string;
  role: ConsoleRole;
}

/**
 * The groups claim as the HTTP API's JWT authorizer hands it over: an array in the token, but a
 * string "[officers viewers]" in the Lambda event.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== "string") return [];
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .filter((group) => group !== "");
}

/** The user the claims describe; undefined when they name no one or no console group. */
export function consoleUserOf(
  claims: Record<string, unknown> | undefined,
): ConsoleUser | undefined {
  if (claims === undefined) return undefined;
  const username = claims["cognito:username"] ?? claims.username ?? claims.email ?? claims.sub;
  if (typeof username !== "string" || username === "") return undefined;
  const groups = groupsOf(claims["cognito:groups"]);
  // An officer who is also a viewer may put events: the stronger group wins.
  if (groups.includes("officers")) return { username, role: CONSOLE_ROLES.officers };
  if (groups.includes("viewers")) return { username, role: CONSOLE_ROLES.viewers };
  return undefined;
}

/**
 * Who put an event, as the entry's `resources` carries it: the contract's detail stays as other
 * senders send it (its schemas are strict), and EventBridge keeps `resources` in the event every
 * rule target receives, so a rejected event shows who put it.
 */
export function putterResource(user: ConsoleUser, origin: string): string {
  return `${origin}:user/${encodeURIComponent(user.username)}`;
}

/** The putter a `resources` list names, if the console put the event. */
export function putterOf(resources: readonly string[]): string | undefined {
  const resource = resources.find((candidate) => candidate.includes(":kp-console:"));
  const name = resource?.split(":user/")[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}

export class InvalidConsoleEvent extends Error {
  override name = "InvalidConsoleEvent";

  constructor(
    message: string,
    /** Each problem with its field's path in the detail, "venue.city", for the form. */
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export interface ConsoleEvent {
  detailType: string;
  detail: unknown;
}

/** The event checked by the contract's own schema, with its defaults applied. */
export function checkedEvent(event: ConsoleEvent): ConsoleEvent {
  const contractEvent = findContractEvent(event.detailType);
  if (contractEvent === undefined) {
    throw new InvalidConsoleEvent(
      `"${event.detailType}" is not a detail-type of the contract (${CONTRACT_EVENTS.map((known) => known.detailType).join(", ")})`,
      [],
    );
  }
  const parsed = (contractEvent.schema as z.ZodType).safeParse(event.detail);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
    throw new InvalidConsoleEvent(
      issues.map((issue) => `${issue.path || "detail"}: ${issue.message}`).join("; "),
      issues,
    );
  }
  return { detailType: event.detailType, detail: parsed.data };
}

/** What the console reads, through the same repositories as the functions and `kp`. */
export interface ConsoleReads {
  meetings: Pick<MeetingRepository, "get" | "list">;
  contacts: Pick<ContactRepository, "list"> & AudienceDirectory;
  notices: {
    listRecords(subjectKey: string): Promise<NoticeRecord[]>;
    listDefinitions(subjectKey: string): Promise<NoticeDefinition[]>;
  };
  rsvps: {
    listForMeeting(meetingId: string): Promise<{ contactId: string; answer: RsvpAnswer }[]>;
  };
  chair: ChairRepository;
  rejections: { list(options?: { limit?: number }): Promise<RejectedEvent[]> };
}

/** A meeting as the console lists it, without the detail kept to tell duplicates. */
export type MeetingView = Omit<Meeting, "scheduledDetail">;

function meetingView(meeting: Meeting): MeetingView {
  const { scheduledDetail: _detail, ...view } = meeting;
  return view;
}

/** Member state by member state, as `kp report` tells it, with the notices' progress. */
export async function meetingCoverage(
  reads: ConsoleReads,
  meeting: Meeting,
): Promise<{ coverage: CoverageReport; notices: NoticeSummary[] }> {
  const subject = meetingSubject(meeting.meetingId);
  const [contacts, records, definitions, rsvps] = await Promise.all([
    reads.contacts.listAudience(audienceQuery(meeting.audience)),
    reads.notices.listRecords(subject),
    reads.notices.listDefinitions(subject),
    reads.rsvps.listForMeeting(meeting.meetingId),
  ]);
  const answers = new Map(rsvps.map((rsvp) => [rsvp.contactId, rsvp.answer]));
  return {
    coverage: coverageReport(meeting.audience, contacts, records, answers),
    notices: definitions.map((definition) => noticeSummary(definition, records)),
  };
}

export interface NoticeSummary {
  noticeId: string;
  kind: string;
  definedAt: string;
  recipients: number;
  /** Records by status: sending, sent, failed, skipped. */
  status: Record<string, number>;
  /** No record is still being sent and every recipient has one. */
  complete: boolean;
}

function noticeSummary(definition: NoticeDefinition, records: NoticeRecord[]): NoticeSummary {
  const mine = records.filter((record) => record.noticeId === definition.noticeId);
  const status: Record<string, number> = {};
  for (const record of mine) status[record.status] = (status[record.status] ?? 0) + 1;
  return {
    noticeId: definition.noticeId,
    kind: definition.kind,
    definedAt: definition.definedAt,
    recipients: definition.recipientCount,
    status,
    complete: mine.length >= definition.recipientCount && status.sending === undefined,
  };
}

export async function meetingPage(reads: ConsoleReads, meetingId: string) {
  const meeting = await reads.meetings.get(meetingId);
  if (meeting === undefined) return undefined;
  return { meeting: meetingView(meeting), ...(await meetingCoverage(reads, meeting)) };
}

export async function meetingList(reads: ConsoleReads): Promise<MeetingView[]> {
  return (await reads.meetings.list()).map(meetingView);
}

/** Dead letters waiting, by queue, or why they could not be counted. */
export type DeadLettersView =
  | { total: number; byQueue: Record<string, number> }
  | { unavailable: string };

/** SES's sandbox state and quota as the overview shows them, or why they could not be read. */
export type SesView =
  | {
      sandbox: boolean;
      sendingEnabled: boolean;
      /** -1: no daily limit. */
      max24HourSend: number;
      sentLast24Hours: number;
      /** 0: no rate limit. */
      maxSendRate: number;
    }
  | { unavailable: string };

export function deadLettersView(queues: QueueCount[]): DeadLettersView {
  return {
    total: queues.reduce((sum, queue) => sum + queue.messages, 0),
    byQueue: Object.fromEntries(queues.map((queue) => [queue.queue, queue.messages])),
  };
}

export function sesView(account: SesAccountState): SesView {
  if ("error" in account) return { unavailable: account.error };
  return {
    sandbox: !account.productionAccess,
    sendingEnabled: account.sendingEnabled,
    max24HourSend: account.max24HourSend,
    sentLast24Hours: account.sentLast24Hours,
    maxSendRate: account.maxSendRate,
  };
}

async function deadLettersOf(health: HealthReads): Promise<DeadLettersView> {
  try {
    return deadLettersView(await health.deadLetters());
  } catch (error) {
    // The rest of the overview still shows: the reason says what to fix (a permission, a URL).
    return {
      unavailable: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/**
 * The overview: upcoming meetings and how far each reached, the Chair, rejected events, the dead
 * letters waiting and SES's sandbox state and quota (what `kp status` tells).
 */
export async function consoleOverview(reads: ConsoleReads, health: HealthReads, now: Date) {
  const upcoming = (await reads.meetings.list())
    .filter((meeting) => meeting.status === "scheduled" && !hasEnded(meeting, now))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const meetings = await Promise.all(
    upcoming.map(async (meeting) => {
      const { coverage, notices } = await meetingCoverage(reads, meeting);
      const memberStates = coverage.rows.filter((row) => row.kind === "member-state");
      return {
        meeting: meetingView(meeting),
        memberStates: memberStates.length,
        reached: memberStates.length - coverage.flaggedMemberStates.length,
        accepted: coverage.rows.reduce((sum, row) => sum + row.attendance.accepted, 0),
        declined: coverage.rows.reduce((sum, row) => sum + row.attendance.declined, 0),
        sending: notices.some((notice) => !notice.complete),
      };
    }),
  );
  const [rejected, chair, deadLetters, ses] = await Promise.all([
    reads.rejections.list({ limit: 100 }),
    currentChair(reads.chair),
    deadLettersOf(health),
    health.sesAccount(),
  ]);
  return {
    meetings,
    chair,
    rejected: rejected.length,
    deadLetters,
    ses: sesView(ses),
  };
}

export async function contactList(reads: ConsoleReads): Promise<Contact[]> {
  return reads.contacts.list();
}

/** The audience a meeting form names, as the contacts it reaches (for the notice preview). */
export async function audienceContacts(
  reads: ConsoleReads,
  audience: Audience,
): Promise<Contact[]> {
  return reads.contacts.listAudience(audienceQuery(audience));
}
