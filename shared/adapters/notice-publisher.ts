import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { NoticesDueEvent } from "../contract/internal.js";
import type { NoticePublisher, NoticesDue } from "../domain/notices.js";

export class PublishFailed extends Error {
  override name = "PublishFailed";
}

/** Hands chunks of recipients to the sender as "Notices Due" events on the bus. */
export class EventBridgeNoticePublisher implements NoticePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(batches: NoticesDue[]): Promise<void> {
    for (let start = 0; start < batches.length; start += 10) {
      const entries = batches.slice(start, start + 10).map((batch) => ({
        EventBusName: this.eventBusName,
        Source: NoticesDueEvent.source,
        DetailType: NoticesDueEvent.detailType,
        Detail: JSON.stringify(batch),
      }));
      const response = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if ((response.FailedEntryCount ?? 0) > 0) {
        const failure = response.Entries?.find((entry) => entry.ErrorCode !== undefined);
        throw new PublishFailed(
          `${response.FailedEntryCount} Notices Due event(s) not accepted: ${failure?.ErrorCode} ${failure?.ErrorMessage}`,
        );
      }
    }
  }
}
