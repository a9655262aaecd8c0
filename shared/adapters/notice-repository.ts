import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  ClaimOutcome,
  NoticeDefinition,
  NoticeRecord,
  NoticeRepository,
  RecipientKey,
} from "../domain/notices.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { keys } from "./table-keys.js";

function recordKey(key: RecipientKey) {
  return keys.noticeRecord(key.subjectKey, key.noticeId, key.contactId);
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export class DynamoNoticeRepository implements NoticeRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async define(definition: NoticeDefinition): Promise<NoticeDefinition> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.noticeDefinition(definition.subjectKey, definition.noticeId),
            ...definition,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return definition;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = await this.getDefinition(definition.subjectKey, definition.noticeId);
      if (stored === undefined) throw error;
      return stored;
    }
  }

  async getDefinition(subjectKey: string, noticeId: string): Promise<NoticeDefinition | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.noticeDefinition(subjectKey, noticeId),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : strip<NoticeDefinition>(Item);
  }

  async claim(key: RecipientKey, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          UpdateExpression:
            "SET #status = :sending, claimedAt = :now, updatedAt = :now, subjectKey = :subject, noticeId = :notice, contactId = :contact",
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :sending AND claimedAt < :leaseStart)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":now": now.toISOString(),
            ":leaseStart": new Date(now.getTime() - leaseMs).toISOString(),
            ":subject": key.subjectKey,
            ":notice": key.noticeId,
            ":contact": key.contactId,
          },
        }),
      );
      return "claimed";
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: recordKey(key), ConsistentRead: true }),
      );
      return Item?.status === "sending" ? "busy" : "done";
    }
  }

  async markSent(key: RecipientKey, messageId: string, now: Date): Promise<void> {
    await this.settle(key, { status: "sent", messageId, sentAt: now.toISOString() }, now);
    // Delivery events name the message only: keep the way back to the record.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.message(messageId), ...key, messageId },
      }),
    );
  }

  async markFailed(key: RecipientKey, reason: string, now: Date): Promise<void> {
    await this.settle(key, { status: "failed", reason }, now);
  }

  async markSkipped(key: RecipientKey, reason: string, now: Date): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...recordKey(key),
            ...key,
            status: "skipped",
            reason,
            updatedAt: now.toISOString(),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async release(key: RecipientKey): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          ConditionExpression: "#status = :sending",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":sending": "sending" },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  listRecords(subjectKey: string): Promise<NoticeRecord[]> {
    return this.query<NoticeRecord>(subjectKey, "NOTICE#");
  }

  listDefinitions(subjectKey: string): Promise<NoticeDefinition[]> {
    return this.query<NoticeDefinition>(subjectKey, "NOTICEDEF#");
  }

  private async settle(
    key: RecipientKey,
    fields: Record<string, string>,
    now: Date,
  ): Promise<void> {
    const names = Object.keys(fields);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: recordKey(key),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(", ")}, updatedAt = :updatedAt REMOVE claimedAt`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
          ":updatedAt": now.toISOString(),
        },
      }),
    );
  }

  private async query<T>(subjectKey: string, prefix: string): Promise<T[]> {
    const items: T[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": subjectKey, ":prefix": prefix },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      items.push(...(page.Items ?? []).map((item) => strip<T>(item)));
    }
    return items;
  }
}
