import type { Contact } from "./contacts.js";
import type { NoticeDefinition, NoticeRepository, NoticesDue, RecipientKey } from "./notices.js";

/** One email, ready to send: the mailer turns it into MIME. */
export interface OutgoingEmail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  language: string;
  calendar?: { method: "REQUEST" | "CANCEL"; content: string };
  /** Identifies the notice in the message's headers and in delivery events. */
  tags: Record<string, string>;
}

/** The address was refused for good (SES MessageRejected and the like): do not retry. */
export class MailRejected extends Error {
  override name = "MailRejected";
}

/** Sending faster than the account allows: wait and try again. */
export class MailThrottled extends Error {
  override name = "MailThrottled";
}

export interface Mailer {
  /** Sends and answers the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

export interface RateLimiter {
  /** Resolves when one more message may be sent. */
  take(): Promise<void>;
}

export interface ContactReader {
  getMany(contactIds: readonly string[]): Promise<Map<string, Contact>>;
}

/** Some notices of the chunk could not be sent now; the retry of the whole chunk sends them. */
export class NoticesIncomplete extends Error {
  override name = "NoticesIncomplete";
}

export class UnknownNotice extends Error {
  override name = "UnknownNotice";
}

export interface DeliveryContext {
  notices: NoticeRepository;
  contacts: ContactReader;
  mailer: Mailer;
  compose: (definition: NoticeDefinition, contact: Contact) => OutgoingEmail;
  limiter: RateLimiter;
  now: () => Date;
  /**
   * How long a claim protects a send in progress: the time this invocation has left, so that
   * Lambda's retry after a timeout (a minute later) finds the claim expired.
   */
  leaseMs: number;
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
}

/**
 * Sends one chunk of a notice:
 * 1. read the notice's definition and the recipients (a removed contact is skipped, by id);
 * 2. for each recipient, claim the outbox record: one already sent (or being sent) is left alone,
 *    so a duplicate event or a retry never sends a notice twice;
 * 3. send at the account's rate; a throttled send waits and tries again, a refused address is
 *    recorded as failed with the reason, a sent one with its message id;
 * 4. what could not be sent now is released and the chunk fails, so Lambda retries it.
 * The window that remains: the provider accepted a message and the process died before the
 * record said "sent"; after the lease a retry sends that one notice again.
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
  const summary: DeliverySummary = {
    sent: 0,
    skipped: 0,
    failed: 0,
    alreadyDone: 0,
    retryLater: 0,
  };
  const errors: string[] = [];

  async function deliverTo(contactId: string): Promise<void> {
    const key: RecipientKey = { subjectKey: due.subjectKey, noticeId: due.noticeId, contactId };
    const contact = contacts.get(contactId);
    if (contact === undefined) {
      await context.notices.markSkipped(key, "the contact was removed", context.now());
      summary.skipped += 1;
      return;
    }
    if (contact.suppressed !== undefined) {
      await context.notices.markSkipped(
        key,
        `the contact is suppressed: ${contact.suppressed.reason}`,
        context.now(),
      );
      summary.skipped += 1;
      return;
    }
    const claim = await context.notices.claim(key, context.now(), context.leaseMs);
    if (claim === "done") {
      summary.alreadyDone += 1;
      return;
    }
    if (claim === "busy") {
      summary.retryLater += 1;
      errors.push(`${contactId}: being sent by another invocation`);
      return;
    }
    const describe = (error: unknown) =>
      error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    let email: OutgoingEmail;
    try {
      email = context.compose(definition, contact);
    } catch (error) {
      await context.notices.release(key);
      summary.retryLater += 1;
      errors.push(`${contactId}: ${describe(error)}`);
      return;
    }
    for (let attempt = 0; ; attempt += 1) {
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
        if (error instanceof MailThrottled && attempt < context.throttleRetries) {
          const backoff = Math.min(30_000, 100 * 2 ** attempt);
          await context.sleep(backoff / 2 + Math.random() * (backoff / 2));
          continue;
        }
        // Not sent: give the claim back so the retry sends it.
        await context.notices.release(key);
        summary.retryLater += 1;
        errors.push(`${contactId}: ${describe(error)}`);
        return;
      }
      try {
        await context.notices.markSent(key, messageId, context.now());
        summary.sent += 1;
      } catch (error) {
        // Sent, but not recorded: the claim stays, so no retry sends it again before the lease
        // ends (the window the outbox leaves open).
        summary.retryLater += 1;
        errors.push(`${contactId}: sent as ${messageId} but not recorded: ${describe(error)}`);
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
    );
  }
  return summary;
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
