import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SOURCE } from "../contract/index.js";
import { type ConsoleEvent, type ConsoleUser, putterResource } from "../domain/console.js";

/** The most entries one PutEvents request takes. */
const BATCH = 10;

/** Puts the console's events on the bus, each entry naming who put it in its `resources`. */
export class ConsoleEventPutter {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly region: string,
  ) {}

  async put(
    events: ConsoleEvent[],
    user: ConsoleUser,
    account: string,
  ): Promise<{ eventId?: string; error?: string }[]> {
    const resource = putterResource(user, `arn:aws:kp-console:${this.region}:${account}`);
    const results: { eventId?: string; error?: string }[] = [];
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      const response = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.eventBusName,
            Source: SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Resources: [resource],
          })),
        }),
      );
      batch.forEach((_, index) => {
        const entry = response.Entries?.[index];
        results.push(
          entry?.EventId !== undefined
            ? { eventId: entry.EventId }
            : { error: `${entry?.ErrorCode ?? "Error"}: ${entry?.ErrorMessage ?? "not accepted"}` },
        );
      });
    }
    return results;
  }
}
