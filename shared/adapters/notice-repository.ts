import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  DELIVERY_RANK,
  type DeliveryRepository,
  type DeliveryUpdate,
} from "../domain/delivery-status.js";
import type {
  ClaimOutcome,
  NoticeDefinition,
  NoticeRecord,
  NoticeRepository,
  RecipientKey,
} from "../domain/notices.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { keys, LISTS_INDEX } from "./table-keys.js";

function recordKey(key: RecipientKey) {
  return keys.noticeRecord(key.subjectKey, key.noticeId, key.contactId);
}

function contactListing(key: RecipientKey, pkName: string, skName: string) {
  const listing = keys.contactNotice(key.contactId, key.subjectKey, key.noticeId);
  return { [pkName]: listing.gsi1pk, [skName]: listing.gsi1sk };
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export class DynamoNoticeRepository implements NoticeRepository, DeliveryRepository {
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
            "SET #status = :sending, claimedAt = :now, leaseUntil = :leaseUntil, updatedAt = :now, subjectKey = :subject, noticeId = :notice, contactId = :contact, gsi1pk = :byContact, gsi1sk = :noticeKey",
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :sending AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":now": now.toISOString(),
            ":leaseUntil": new Date(now.getTime() + leaseMs).toISOString(),
            ":subject": key.subjectKey,
            ":notice": key.noticeId,
            ":contact": key.contactId,
            ...contactListing(key, ":byContact", ":noticeKey"),
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
    // Delivery events name the message only: the way back to the record is written first, so
    // an early bounce finds it.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.message(messageId), ...key, messageId },
      }),
    );
    await this.settle(key, { status: "sent", messageId, sentAt: now.toISOString() }, now);
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
            ...keys.contactNotice(key.contactId, key.subjectKey, key.noticeId),
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

  async findByMessage(messageId: string): Promise<RecipientKey | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.message(messageId) }),
    );
    if (Item === undefined) return undefined;
    return {
      subjectKey: String(Item.subjectKey),
      noticeId: String(Item.noticeId),
      contactId: String(Item.contactId),
    };
  }

  async recordDelivery(key: RecipientKey, update: DeliveryUpdate): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          UpdateExpression:
            "SET delivery = :delivery, deliveryAt = :at, deliveryDetail = :detail, deliveryRank = :rank",
          ConditionExpression:
            "attribute_exists(pk) AND (attribute_not_exists(deliveryRank) OR deliveryRank < :rank)",
          ExpressionAttributeValues: {
            ":delivery": update.delivery,
            ":at": update.at,
            ":detail": update.detail ?? "",
            ":rank": DELIVERY_RANK[update.delivery],
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Every notice record of one contact, through the lists index. */
  async listForContact(contactId: string): Promise<NoticeRecord[]> {
    const records: NoticeRecord[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression: "gsi1pk = :contact",
          ExpressionAttributeValues: { ":contact": keys.contactNotice(contactId, "", "").gsi1pk },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      records.push(...(page.Items ?? []).map((item) => strip<NoticeRecord>(item)));
    }
    return records;
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
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(", ")}, updatedAt = :updatedAt REMOVE claimedAt, leaseUntil`,
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
