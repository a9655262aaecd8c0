import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { UpcomingMeetings } from "../domain/late-joiners.js";
import type { Meeting } from "../domain/meetings.js";
import { pages } from "./dynamodb-client.js";
import { LISTS_INDEX } from "./table-keys.js";

const KEY_FIELDS = new Set(["pk", "sk", "gsi1pk", "gsi1sk"]);

/** Meetings by start, from the lists index (sorted by the venue's local start time). */
export class DynamoUpcomingMeetings implements UpcomingMeetings {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async startingAfter(now: Date): Promise<Meeting[]> {
    // The key holds the start in the venue's local time; no venue is more than 14 hours from
    // UTC, so a day back takes in every meeting still ahead (the caller checks each exactly).
    const from = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 16);
    const meetings: Meeting[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression: "gsi1pk = :list AND gsi1sk >= :from",
          ExpressionAttributeValues: { ":list": "MEETINGS", ":from": from },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      for (const item of page.Items ?? []) {
        meetings.push(
          Object.fromEntries(
            Object.entries(item).filter(([field]) => !KEY_FIELDS.has(field)),
          ) as unknown as Meeting,
        );
      }
    }
    return meetings;
  }
}
