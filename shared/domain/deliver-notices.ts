import { inAudience } from "./audience.js";
import type { Contact } from "./contacts.js";
import type { NoticeDefinition, NoticesDue, Outbox, RecipientKey } from "./notices.js";

/** One email, ready to send: the mailer turns it into MIME. */
export interface OutgoingEmail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  language: string;
  calendar?: { method: "REQUEST" | "CANCEL"; content: string };
  /** The recipient's signed link that stops their reminders (List-Unsubscribe). */
  unsubscribe?: string;
  /** Identifies the notice in the message's headers and in delivery events. */
  tags: Record<string, string>;
}

/** The address was refused for good (SES MessageRejected and the like): do not retry. */
export class MailRejected extends Error {
  override name = "MailRejected";
}

/** Sending faster than the account allows: certainly not sent; wait and try again. */
export class MailThrottled extends Error {
  override name = "MailThrottled";
}

/**
 * The provider may or may not have taken the message (a timeout after the request was written,
 * a 5xx, a connection reset): it is sent again after the claim's lease, never dropped.
 */
export class MailOutcomeUnknown extends Error {
  override name = "MailOutcomeUnknown";
}

export interface Mailer {
  /**
   * Sends and answers the provider's message id. Throws MailRejected, MailThrottled or
   * MailOutcomeUnknown as above; any other error means the message was certainly not sent.
   */
  send(email: OutgoingEmail): Promise<string>;
}

export interface RateLimiter {
  /** Resolves when one more message may be sent. */
  take(): Promise<void>;
}

export interface ContactReader {
  getMany(contactIds: readonly string[]): Promise<Map<string, Contact>>;
}

/** The meeting as stored now: what decides whether a notice of it is still current. */
export interface MeetingVersions {
  get(
    meetingId: string,
  ): Promise<{ status: "scheduled" | "cancelled"; sequence: number } | undefined>;
}

/** Some notices of the chunk could not be sent now; the retry of the whole chunk sends them. */
export class NoticesIncomplete extends Error {
  override name = "NoticesIncomplete";

  constructor(
    message: string,
    /** What the chunk did before it failed: counted all the same. */
    readonly summary?: DeliverySummary,
  ) {
    super(message);
  }
}

export class UnknownNotice extends Error {
  override name = "UnknownNotice";
}

export interface DeliveryContext {
  notices: Outbox;
  contacts: ContactReader;
  /** Read with a consistent read: a notice is checked against the meeting as it is now. */
  meetings: MeetingVersions;
  mailer: Mailer;
  compose: (definition: NoticeDefinition, contact: Contact) => OutgoingEmail;
  limiter: RateLimiter;
  now: () => Date;
  /** The invocation's deadline (ms since the epoch), asked at each claim: no lease outlives it. */
  deadline: () => number;
  /**
   * The longest one send can take (the provider's request timeout and a margin): a claim's
   * lease is never longer, so the claim of a sender that died is taken over within seconds.
   */
  maxSendMs: number;
  /** How old the meeting read a send is checked against may be (one read per this, per chunk). */
  meetingReadMaxAgeMs: number;
  /**
   * Several sender environments may run at once (no reserved concurrency). Then a notice that
   * supersedes earlier ones (an update, a cancellation) waits, before its first send, until
   * every send of an earlier version that read the meeting before the change has ended.
   */
  parallelSenders: boolean;
  /** Messages in flight at once. */
  concurrency: number;
  throttleRetries: number;
  sleep: (ms: number) => Promise<void>;
}

export interface DeliverySummary {
  sent: number;
  skipped: number;
  failed: number;
  alreadyDone: number;
  retryLater: number;
  /** Sends whose outcome was unknown: sent again after the lease. */
  ambiguous: number;
}

type MeetingState = Awaited<ReturnType<MeetingVersions["get"]>>;

/**
 * The notice that makes a meeting notice stale, or undefined while it is current: a reschedule
 * or a cancellation stored after it was defined. A cancellation is never superseded.
 */
export function supersededBy(
  definition: NoticeDefinition,
  meeting: MeetingState,
): string | undefined {
  if (definition.meeting === undefined || meeting === undefined) return undefined;
  if (definition.kind === "cancellation") return undefined;
  if (meeting.status === "cancelled") return `cancellation-v${meeting.sequence}`;
  if (meeting.sequence > definition.meeting.sequence) return `update-v${meeting.sequence}`;
  return undefined;
}

/** The meeting read once per `maxAgeMs` at most; each caller gets a read that recent. */
function meetingReader(definition: NoticeDefinition, context: DeliveryContext) {
  const meetingId = definition.meeting?.meetingId;
  let last: { at: number; state: Promise<MeetingState> } | undefined;
  return (): Promise<MeetingState> => {
    if (meetingId === undefined) return Promise.resolve(undefined);
    const now = context.now().getTime();
    if (last === undefined || now - last.at >= context.meetingReadMaxAgeMs) {
      last = { at: now, state: context.meetings.get(meetingId) };
    }
    return last.state;
  };
}

/** A claim taken over by others again and again is left to the chunk's retry. */
const MAX_WAITS = 3;
/**
 * SES failures in a row (unknown outcomes or refusals of the request, not throttling) after
 * which the rest of the chunk is not tried: when SES is down, every send would fail the same way,
 * so the chunk fails at once and its retry (or the reconciler) sends what is left.
 */
export const FAILURES_BEFORE_HOLDING_BACK = 3;
/**
 * Below this much time before the invocation's deadline no claim is taken: its lease (which
 * ends at the deadline) could end while the send is still under way, and another sender could
 * then take it over and send it too. The chunk's retry sends what is left.
 */
export const MIN_TIME_TO_SEND_MS = 2_000;

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Sends one chunk of a notice:
 * 1. read the notice's definition and the recipients; a removed, suppressed or out-of-audience
 *    contact is recorded as skipped, by id;
 * 2. a meeting notice that a later reschedule or the cancellation superseded is skipped (the
 *    meeting is read again, with a consistent read, at most `meetingReadMaxAgeMs` before each
 *    claim); with parallel senders, a superseding notice first waits out the earlier sends;
 * 3. for each recipient, claim the outbox record until the invocation's deadline or one send's
 *    longest time, whichever is first; one sent is left alone, one another sender holds is
 *    waited for when its lease ends in time, so a duplicate or a retry never sends twice;
 * 4. send at the account's rate: a throttled send gives its claim back, waits and tries again; a
 *    refused address is recorded as failed; an unknown outcome is recorded on the claim, whose
 *    lease ends at once (the send is over: the next attempt sends it again); a sent one is
 *    recorded with its message id; after FAILURES_BEFORE_HOLDING_BACK failures of SES in a row
 *    the rest of the chunk is left untried;
 * 5. what could not be sent now makes the chunk fail, so Lambda retries it.
 */
export async function deliverNotices(
  due: NoticesDue,
  context: DeliveryContext,
): Promise<DeliverySummary> {
  const found = await context.notices.getDefinition(due.subjectKey, due.noticeId);
  if (found === undefined) {
    throw new UnknownNotice(`No notice ${due.noticeId} of ${due.subjectKey}`);
  }
  const definition: NoticeDefinition = found;
  const contacts = await context.contacts.getMany(due.contactIds);
  const currentMeeting = meetingReader(definition, context);
  const summary: DeliverySummary = {
    sent: 0,
    skipped: 0,
    failed: 0,
    alreadyDone: 0,
    retryLater: 0,
    ambiguous: 0,
  };
  const errors: string[] = [];
  let failuresInARow = 0;
  await waitForEarlierVersions(definition, context);

  async function skip(key: RecipientKey, reason: string): Promise<void> {
    await context.notices.markSkipped(key, reason, context.now());
    summary.skipped += 1;
  }

  function retryLater(contactId: string, why: string): void {
    summary.retryLater += 1;
    errors.push(`${contactId}: ${why}`);
  }

  async function deliverTo(contactId: string): Promise<void> {
    const key: RecipientKey = { subjectKey: due.subjectKey, noticeId: due.noticeId, contactId };
    const contact = contacts.get(contactId);
    if (contact === undefined) return skip(key, "the contact was removed");
    if (contact.suppressed !== undefined) {
      return skip(key, `the contact is suppressed: ${contact.suppressed.reason}`);
    }
    if (definition.audience !== undefined && !inAudience(contact, definition.audience)) {
      return skip(key, "not in the notice's audience");
    }
    let email: OutgoingEmail | undefined;
    let waits = 0;
    for (let attempt = 0; ; ) {
      if (failuresInARow >= FAILURES_BEFORE_HOLDING_BACK) {
        return retryLater(contactId, `not tried: SES failed ${failuresInARow} times in a row`);
      }
      const newer = supersededBy(definition, await currentMeeting());
      if (newer !== undefined) return skip(key, `superseded by ${newer}`);
      const now = context.now();
      const deadline = context.deadline();
      if (deadline - now.getTime() < MIN_TIME_TO_SEND_MS) {
        // A claim taken now would end (with the invocation) before its send could: leave it.
        return retryLater(contactId, "not tried: the invocation's time is up");
      }
      const leaseUntil = new Date(Math.min(deadline, now.getTime() + context.maxSendMs));
      const claim = await context.notices.claim(key, now, leaseUntil);
      if (claim.status === "done") {
        summary.alreadyDone += 1;
        return;
      }
      if (claim.status === "busy") {
        // Its lease ends soon enough to wait, take it over and still send before our deadline.
        const wait = claim.leaseUntil.getTime() - now.getTime() + 10;
        if (claim.leaseUntil.getTime() + context.maxSendMs <= deadline && waits < MAX_WAITS) {
          waits += 1;
          await context.sleep(Math.max(0, wait));
          continue;
        }
        return retryLater(contactId, "being sent by another invocation");
      }
      if (email === undefined) {
        try {
          email = context.compose(definition, contact);
        } catch (error) {
          await context.notices.release(key);
          return retryLater(contactId, describe(error));
        }
      }
      await context.limiter.take();
      let messageId: string;
      try {
        messageId = await context.mailer.send(email);
      } catch (error) {
        if (error instanceof MailRejected) {
          await context.notices.markFailed(key, withoutAddresses(error.message), context.now());
          summary.failed += 1;
          return;
        }
        if (error instanceof MailOutcomeUnknown) {
          // It may have gone out. The send is over, so the claim's lease ends now and the next
          // attempt sends it again (at least once for this one notice, never silently dropped).
          const reason = withoutAddresses(describe(error));
          await context.notices.markAmbiguous(key, reason, context.now());
          summary.ambiguous += 1;
          failuresInARow += 1;
          return retryLater(
            contactId,
            `outcome unknown, sent again by the next attempt: ${reason}`,
          );
        }
        // Certainly not sent: give the claim back.
        await context.notices.release(key);
        if (!(error instanceof MailThrottled)) failuresInARow += 1;
        if (error instanceof MailThrottled && attempt < context.throttleRetries) {
          const backoff = Math.min(30_000, 100 * 2 ** attempt);
          attempt += 1;
          await context.sleep(backoff / 2 + Math.random() * (backoff / 2));
          continue;
        }
        return retryLater(contactId, describe(error));
      }
      failuresInARow = 0;
      try {
        await context.notices.markSent(key, messageId, context.now());
        summary.sent += 1;
      } catch (error) {
        // Sent, but not recorded: the claim stays, so no retry sends it again before the lease
        // ends (the window the outbox leaves open).
        retryLater(contactId, `sent as ${messageId} but not recorded: ${describe(error)}`);
      }
      return;
    }
  }

  const queue = [...new Set(due.contactIds)];
  const workers = Array.from({ length: Math.max(1, context.concurrency) }, async () => {
    for (let contactId = queue.shift(); contactId !== undefined; contactId = queue.shift()) {
      await deliverTo(contactId);
    }
  });
  await Promise.all(workers);
  if (errors.length > 0) {
    throw new NoticesIncomplete(
      `${errors.length} of ${due.contactIds.length} notice(s) of ${due.noticeId} to retry: ${errors.slice(0, 5).join("; ")}`,
      summary,
    );
  }
  return summary;
}

/**
 * With parallel senders, a send of an earlier version may still be under way in another
 * environment when the change is stored: it read the meeting at most `meetingReadMaxAgeMs`
 * before its claim and ends at most `maxSendMs` after it. A superseding notice defined (after
 * the meeting was stored) at `storedAt` therefore waits until `storedAt` plus both before its
 * first send, so its CANCEL (or update) leaves after every stale REQUEST.
 */
async function waitForEarlierVersions(
  definition: NoticeDefinition,
  context: DeliveryContext,
): Promise<void> {
  if (!context.parallelSenders || definition.storedAt === undefined) return;
  if (definition.kind !== "update" && definition.kind !== "cancellation") return;
  const from =
    new Date(definition.storedAt).getTime() + context.meetingReadMaxAgeMs + context.maxSendMs;
  const wait = from - context.now().getTime();
  if (wait > 0) await context.sleep(wait);
}

/** The record keeps the contact by id only: no address survives in a provider's message. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"',;:]+@[^\s<>"',;]+/g, "<address>");
}

/** A token bucket: `ratePerSecond` messages a second on average, none when it is 0 (unlimited). */
export function tokenBucket(ratePerSecond: number, now = () => performance.now()): RateLimiter {
  if (ratePerSecond <= 0) return { take: () => Promise.resolve() };
  const interval = 1000 / ratePerSecond;
  let next = now();
  return {
    take() {
      const at = Math.max(next, now());
      next = at + interval;
      const wait = at - now();
      return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
