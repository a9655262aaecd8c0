import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { erasePersonalDataFromText } from "../domain/personal-data.js";
import {
  MAX_EVENT_TEXT_BYTES,
  type RejectedEvent,
  type RejectionRepository,
  rejectedEventText,
} from "../domain/rejections.js";
import { pages } from "./dynamodb-client.js";
import { keys } from "./table-keys.js";

/**
 * The event of an item as text. Items recorded before the event was kept as text hold it as a
 * map (never deeper than DynamoDB's 32 levels, so JSON.stringify-sized): read both.
 */
function eventTextOf(event: unknown): string {
  return typeof event === "string" ? event : rejectedEventText(event);
}

function toRejectedEvent(item: Record<string, unknown>): RejectedEvent {
  const { pk: _pk, sk: _sk, event, ...rejected } = item;
  return { ...rejected, event: eventTextOf(event) } as RejectedEvent;
}

export class DynamoRejectionRepository implements RejectionRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(rejected: RejectedEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.rejected(rejected.eventTime, rejected.eventId), ...rejected },
      }),
    );
  }

  /** Newest first. */
  async list(options: { limit?: number } = {}): Promise<RejectedEvent[]> {
    const rejected: RejectedEvent[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.rejectedPartition },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      rejected.push(...(page.Items ?? []).map(toRejectedEvent));
      if (options.limit !== undefined && rejected.length >= options.limit) {
        return rejected.slice(0, options.limit);
      }
    }
    return rejected;
  }

  /** How many events were rejected after `since` (by event time): a count, no items read out. */
  async countSince(since: Date): Promise<number> {
    let count = 0;
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk > :since",
          ExpressionAttributeValues: {
            ":pk": keys.rejectedPartition,
            ":since": since.toISOString(),
          },
          Select: "COUNT",
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) count += page.Count ?? 0;
    return count;
  }

  async eraseContact(contactId: string): Promise<number> {
    let erased = 0;
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          FilterExpression: "contactId = :contactId AND attribute_not_exists(erasedAt)",
          ExpressionAttributeValues: { ":pk": keys.rejectedPartition, ":contactId": contactId },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      for (const item of page.Items ?? []) {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: "SET #event = :event, erasedAt = :now",
            ExpressionAttributeNames: { "#event": "event" },
            ExpressionAttributeValues: {
              ":event": erasePersonalDataFromText(eventTextOf(item.event), MAX_EVENT_TEXT_BYTES),
              ":now": new Date().toISOString(),
            },
          }),
        );
        erased += 1;
      }
    }
    return erased;
  }
}
