import { type SesEvent, taggedNotice } from "../contract/ses-events.js";
import type { RecipientKey } from "./notices.js";

/** How far a notice got, after SES accepted it. */
export type Delivery =
  | "sent"
  | "delayed"
  | "delivered"
  | "soft-bounced"
  | "rejected"
  | "bounced"
  | "complained";

/** A later event never undoes a graver one: a complaint after the delivery stays a complaint. */
export const DELIVERY_RANK: Record<Delivery, number> = {
  sent: 1,
  delayed: 2,
  delivered: 3,
  "soft-bounced": 4,
  rejected: 5,
  bounced: 6,
  complained: 7,
};

export interface DeliveryUpdate {
  delivery: Delivery;
  at: string;
  /** What SES said, without any address: "Permanent/General", "abuse", "Bad content". */
  detail?: string;
}

export interface DeliveryRepository {
  /**
   * The notice record of a message SES accepted, by its message id: for messages sent before
   * the sender tagged each message with its record (the sender no longer writes this pointer).
   */
  findByMessage(messageId: string): Promise<RecipientKey | undefined>;
  /** Records the delivery unless the record already holds a graver one. */
  recordDelivery(key: RecipientKey, update: DeliveryUpdate): Promise<void>;
}

export interface Suppressions {
  /**
   * Stops all notices to the contact; false when the contact no longer exists, or (when
   * `address` is given) no longer has that address.
   */
  suppress(contactId: string, reason: string, at: string, address?: string): Promise<boolean>;
  /** The contact's email address now; undefined when the contact no longer exists. */
  currentAddress(contactId: string): Promise<string | undefined>;
}

/** "Name <a@b>" → "a@b", lower-cased: SES and the secretariat may spell it differently. */
function plainAddress(address: string): string {
  return (/<([^>]+)>/.exec(address)?.[1] ?? address).trim().toLowerCase();
}

/** The addresses SES says bounced or complained; the message's recipients when it does not say. */
function affectedAddresses(event: SesEvent): string[] {
  const listed =
    event.eventType === "Bounce"
      ? event.bounce.bouncedRecipients
      : event.eventType === "Complaint"
        ? event.complaint.complainedRecipients
        : undefined;
  const addresses = listed?.map((recipient) => recipient.emailAddress) ?? event.mail.destination;
  return (addresses ?? []).map(plainAddress);
}

export class UnknownMessage extends Error {
  override name = "UnknownMessage";
}

export function deliveryOf(event: SesEvent, fallbackTime: string): DeliveryUpdate {
  switch (event.eventType) {
    case "Send":
      return { delivery: "sent", at: event.mail.timestamp ?? fallbackTime };
    case "Delivery":
      return { delivery: "delivered", at: event.delivery?.timestamp ?? fallbackTime };
    case "DeliveryDelay":
      return {
        delivery: "delayed",
        at: fallbackTime,
        detail: event.deliveryDelay?.delayType ?? "",
      };
    case "Bounce":
      return {
        delivery: event.bounce.bounceType === "Permanent" ? "bounced" : "soft-bounced",
        at: event.bounce.timestamp ?? fallbackTime,
        detail: [event.bounce.bounceType, event.bounce.bounceSubType].filter(Boolean).join("/"),
      };
    case "Complaint":
      return {
        delivery: "complained",
        at: event.complaint.timestamp ?? fallbackTime,
        detail: event.complaint.complaintFeedbackType ?? "complaint",
      };
    case "Reject":
      return { delivery: "rejected", at: fallbackTime, detail: event.reject.reason ?? "" };
  }
}

/**
 * An SES event about one of our messages:
 * 1. a Send event only repeats what the sender recorded when SES took the message: nothing to do;
 * 2. find the notice record the message's tags name (a message sent before the sender tagged
 *    them: by its message id; not there yet: fail, so the event is retried);
 * 3. record how far the notice got (a graver outcome is never overwritten);
 * 4. a hard bounce or a complaint suppresses the contact: no further notices, and the reason is
 *    kept where the secretariat sees it. A soft bounce or a delay does not, and neither does one
 *    of an address the contact no longer has (it changed email since): that is only recorded.
 */
export async function recordDeliveryEvent(
  event: SesEvent,
  context: { deliveries: DeliveryRepository; suppressions: Suppressions; eventTime: string },
): Promise<{ recorded: boolean; suppressed: boolean }> {
  if (event.eventType === "Send") return { recorded: false, suppressed: false };
  const key =
    taggedNotice(event.mail.tags) ?? (await context.deliveries.findByMessage(event.mail.messageId));
  if (key === undefined) {
    // Only the sender uses the configuration set: the event can beat the sender's record of
    // the message. Throwing lets Lambda retry it a minute later.
    throw new UnknownMessage(`No notice recorded yet for SES message ${event.mail.messageId}`);
  }
  const update = deliveryOf(event, context.eventTime);
  if (update.delivery !== "bounced" && update.delivery !== "complained") {
    await context.deliveries.recordDelivery(key, update);
    return { recorded: true, suppressed: false };
  }
  const affected = affectedAddresses(event);
  const current = await context.suppressions.currentAddress(key.contactId);
  // Without the addresses in the event, the bounce is taken to be of the current one.
  const ofCurrent =
    current !== undefined && (affected.length === 0 || affected.includes(plainAddress(current)));
  if (current !== undefined && !ofCurrent) {
    const detail = [update.detail, "an earlier address of the contact: not suppressed"]
      .filter(Boolean)
      .join("; ");
    await context.deliveries.recordDelivery(key, { ...update, detail });
    return { recorded: true, suppressed: false };
  }
  await context.deliveries.recordDelivery(key, update);
  const reason =
    update.delivery === "bounced"
      ? `hard bounce (${update.detail}) of ${key.noticeId} of ${key.subjectKey}`
      : `complaint (${update.detail}) about ${key.noticeId} of ${key.subjectKey}`;
  const suppressed = await context.suppressions.suppress(key.contactId, reason, update.at, current);
  return { recorded: true, suppressed };
}
