import { jsonText } from "./json-text.js";

/**
 * An event the contract does not accept: it changes nothing and sends nothing, and is kept
 * with a reason a secretariat officer can read, so it can be corrected and put again.
 */
export class EventRejected extends Error {
  override name = "EventRejected";

  constructor(
    reason: string,
    /** Keep the event without its personal data (it is about a contact that was removed). */
    readonly erasePersonalData = false,
  ) {
    super(reason);
  }
}

/** Room for the event in a rejected item: DynamoDB's items hold 400 KB, the rest needs ~2 KB. */
export const MAX_EVENT_TEXT_BYTES = 380_000;
/** A reason an officer reads at a glance: the first issues, not thousands. */
export const MAX_REASON_LENGTH = 1000;

/** The reason, cut to MAX_REASON_LENGTH characters (whole code points) when longer. */
export function boundedReason(reason: string): string {
  if (reason.length <= MAX_REASON_LENGTH) return reason;
  const kept = Array.from(reason.slice(0, MAX_REASON_LENGTH - 1));
  // A surrogate pair cut in two leaves half a character: drop it.
  const last = kept.at(-1) ?? "";
  if (/[\uD800-\uDFFF]/.test(last) && last.length === 1) kept.pop();
  return `${kept.join("")}…`;
}

/** The event as RejectedEvent keeps it. */
export function rejectedEventText(event: unknown): string {
  return jsonText(event, MAX_EVENT_TEXT_BYTES).text;
}

export interface RejectedEvent {
  /** The EventBridge event id: a redelivery of the same event is recorded once. */
  eventId: string;
  /** When EventBridge received the event (its `time`). */
  eventTime: string;
  rejectedAt: string;
  source: string;
  detailType: string;
  reason: string;
  /**
   * The whole event as it arrived, as JSON text, so it can be corrected and put again. Text, not
   * a nested map: DynamoDB refuses maps nested deeper than 32 levels and numbers no double holds.
   * Cut, with a marker (see `cutMarker`), beyond MAX_EVENT_TEXT_BYTES.
   */
  event: string;
  /** The contact the event is about, so erasing a contact erases its rejected events too. */
  contactId?: string;
}

export interface RejectionRepository {
  record(rejected: RejectedEvent): Promise<void>;
  list(options?: { limit?: number }): Promise<RejectedEvent[]>;
  /** Removes name and email from every rejected event about this contact. */
  eraseContact(contactId: string): Promise<number>;
}
