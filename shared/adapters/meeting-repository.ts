import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  CancelledBeforeScheduled,
  Meeting,
  MeetingRepository,
  Reminder,
  StoredMeeting,
} from "../domain/meetings.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { keys, LISTS_INDEX } from "./table-keys.js";

const KEY_FIELDS = ["pk", "sk", "gsi1pk", "gsi1sk"];

function withoutKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(
    Object.entries(item).filter(([field]) => !KEY_FIELDS.includes(field)),
  ) as T;
}

export class DynamoMeetingRepository implements MeetingRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private item(meeting: Meeting) {
    return {
      ...keys.meeting(meeting.meetingId),
      ...keys.meetingList(meeting.startsAt, meeting.meetingId),
      ...meeting,
    };
  }

  async create(meeting: Meeting): Promise<StoredMeeting | undefined> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(meeting),
          // A cancellation kept for the id gives way only to a Meeting Scheduled sent after it.
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :cancelledBefore AND cancelledAt < :scheduledAt)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":cancelledBefore": "cancelled-before-scheduled",
            ":scheduledAt": meeting.scheduledAt ?? meeting.updatedAt,
          },
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.find(meeting.meetingId);
    }
  }

  async keepCancelled(cancellation: CancelledBeforeScheduled): Promise<StoredMeeting | undefined> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          // No list keys: it is no meeting, only an id that refuses an older Meeting Scheduled.
          Item: { ...keys.meeting(cancellation.meetingId), ...cancellation },
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :cancelledBefore AND cancelledAt < :cancelledAt)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":cancelledBefore": "cancelled-before-scheduled",
            ":cancelledAt": cancellation.cancelledAt,
          },
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.find(cancellation.meetingId);
    }
  }

  async get(meetingId: string): Promise<Meeting | undefined> {
    const stored = await this.find(meetingId);
    return stored === undefined || stored.status === "cancelled-before-scheduled"
      ? undefined
      : stored;
  }

  async find(meetingId: string): Promise<StoredMeeting | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.meeting(meetingId),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : withoutKeys<StoredMeeting>(Item);
  }

  async replace(meeting: Meeting, expectedSequence: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(meeting),
          ConditionExpression: "#sequence = :expected",
          ExpressionAttributeNames: { "#sequence": "sequence" },
          ExpressionAttributeValues: { ":expected": expectedSequence },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** By start, earliest first. */
  async list(): Promise<Meeting[]> {
    const meetings: Meeting[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression: "gsi1pk = :list",
          ExpressionAttributeValues: { ":list": "MEETINGS" },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      meetings.push(...(page.Items ?? []).map((item) => withoutKeys<Meeting>(item)));
    }
    return meetings;
  }

  async replaceReminders(meetingId: string, reminders: Reminder[]): Promise<void> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.meeting(meetingId).pk, ":prefix": "REMINDER#" },
        ConsistentRead: true,
      }),
    );
    const kept = new Set(reminders.map((reminder) => reminder.offset));
    for (const item of Items) {
      if (!kept.has(String(item.offset))) {
        await this.client.send(
          new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }),
        );
      }
    }
    for (const reminder of reminders) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.reminder(reminder.meetingId, reminder.offset),
              ...keys.reminderDue(reminder.dueAt, reminder.meetingId, reminder.offset),
              ...reminder,
            },
            // A slower invocation about an older version must not replace a newer reminder.
            ConditionExpression: "attribute_not_exists(pk) OR #sequence <= :sequence",
            ExpressionAttributeNames: { "#sequence": "sequence" },
            ExpressionAttributeValues: { ":sequence": reminder.sequence },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
  }

  async dueReminders(now: Date): Promise<Reminder[]> {
    const reminders: Reminder[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression: "gsi1pk = :list AND gsi1sk <= :upTo",
          // "#" sorts before every character of a meeting id: all reminders due up to now.
          ExpressionAttributeValues: {
            ":list": "REMINDERS",
            ":upTo": `${now.toISOString()}#\uffff`,
          },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      reminders.push(...(page.Items ?? []).map((item) => withoutKeys<Reminder>(item)));
    }
    return reminders;
  }

  async removeReminder(reminder: Reminder): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.reminder(reminder.meetingId, reminder.offset),
          // A reschedule may have put a newer reminder under the same key: keep that one.
          ConditionExpression: "#sequence = :sequence",
          ExpressionAttributeNames: { "#sequence": "sequence" },
          ExpressionAttributeValues: { ":sequence": reminder.sequence },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
