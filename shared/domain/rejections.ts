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

export interface RejectedEvent {
  /** The EventBridge event id: a redelivery of the same event is recorded once. */
  eventId: string;
  /** When EventBridge received the event (its `time`). */
  eventTime: string;
  rejectedAt: string;
  source: string;
  detailType: string;
  reason: string;
  /** The whole event as it arrived, so it can be corrected and put again. */
  event: unknown;
  /** The contact the event is about, so erasing a contact erases its rejected events too. */
  contactId?: string;
}

export interface RejectionRepository {
  record(rejected: RejectedEvent): Promise<void>;
  list(options?: { limit?: number }): Promise<RejectedEvent[]>;
  /** Removes name and email from every rejected event about this contact. */
  eraseContact(contactId: string): Promise<number>;
}
