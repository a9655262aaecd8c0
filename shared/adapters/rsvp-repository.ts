import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { DeclinedContacts, Rsvp, RsvpRepository } from "../domain/rsvp.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { keys } from "./table-keys.js";

const RSVP_FIELDS = [
  "meetingId",
  "contactId",
  "answer",
  "answeredAt",
  "channel",
  "recordedAt",
] as const;

function toRsvp(item: Record<string, unknown>): Rsvp {
  return Object.fromEntries(RSVP_FIELDS.map((field) => [field, item[field]])) as unknown as Rsvp;
}

/** Answers live beside their meeting: the current one per contact, and every one as it came. */
export class DynamoRsvpRepository implements RsvpRepository, DeclinedContacts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(rsvp: Rsvp): Promise<boolean> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.rsvpAnswer(rsvp.meetingId, rsvp.contactId, rsvp.answeredAt, rsvp.channel),
          ...rsvp,
        },
      }),
    );
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.rsvp(rsvp.meetingId, rsvp.contactId), ...rsvp },
          // The latest answer wins by its own time: a reply delivered late does not undo a
          // later click.
          ConditionExpression: "attribute_not_exists(pk) OR answeredAt <= :answeredAt",
          ExpressionAttributeValues: { ":answeredAt": rsvp.answeredAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  listForMeeting(meetingId: string): Promise<Rsvp[]> {
    return this.query(meetingId, "RSVP#");
  }

  /** Every answer of the meeting as it came, oldest first per contact. */
  listAnswers(meetingId: string): Promise<Rsvp[]> {
    return this.query(meetingId, "RSVPLOG#");
  }

  async declinedContacts(meetingId: string): Promise<Set<string>> {
    const current = await this.listForMeeting(meetingId);
    return new Set(
      current.filter((rsvp) => rsvp.answer === "declined").map((rsvp) => rsvp.contactId),
    );
  }

  private async query(meetingId: string, prefix: string): Promise<Rsvp[]> {
    const found: Rsvp[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.meeting(meetingId).pk, ":prefix": prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      found.push(...(page.Items ?? []).map(toRsvp));
    }
    return found;
  }
}
