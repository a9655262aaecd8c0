import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { findContractEvent, SOURCE } from "../shared/contract/index.js";
import { describeIssues } from "../shared/platform/workflow-handler.js";

/** The most entries one PutEvents request takes. */
export const PUT_EVENTS_BATCH = 10;
/** The most one PutEvents request carries, all entries together. */
export const MAX_PUT_EVENTS_BYTES_PER_CALL = 256 * 1024;

export interface EventToPut {
  detailType: string;
  detail: unknown;
  /** Where it came from, for messages: "row 4", "entry 2". */
  label?: string;
}

/** Checks an event against the contract before it leaves this machine. */
export function validateEvent(event: EventToPut): string | undefined {
  const contractEvent = findContractEvent(event.detailType);
  if (contractEvent === undefined) {
    return `"${event.detailType}" is not a detail-type of the contract`;
  }
  const parsed = contractEvent.schema.safeParse(event.detail);
  return parsed.success ? undefined : describeIssues(parsed.error);
}

export interface PutResult {
  event: EventToPut;
  eventId?: string;
  error?: string;
}

/** Puts the events in batches of ten; every entry gets its own outcome. */
export async function putEvents(
  client: EventBridgeClient,
  eventBusName: string,
  events: EventToPut[],
  onBatch: (done: number, total: number) => void = () => undefined,
): Promise<PutResult[]> {
  const results: PutResult[] = [];
  for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
    const batch = events.slice(start, start + PUT_EVENTS_BATCH);
    const entries: PutEventsRequestEntry[] = batch.map((event) => ({
      EventBusName: eventBusName,
      Source: SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    }));
    const response = await client.send(new PutEventsCommand({ Entries: entries }));
    batch.forEach((event, index) => {
      const entry = response.Entries?.[index];
      results.push(
        entry?.EventId !== undefined
          ? { event, eventId: entry.EventId }
          : {
              event,
              error: `${entry?.ErrorCode ?? "Error"}: ${entry?.ErrorMessage ?? "not accepted"}`,
            },
      );
    });
    onBatch(Math.min(start + PUT_EVENTS_BATCH, events.length), events.length);
  }
  return results;
}
