import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { CHAIR_SUBJECT } from "../domain/chair.js";
import {
  DELIVERY_RANK,
  type DeliveryRepository,
  type DeliveryUpdate,
} from "../domain/delivery-status.js";
import { meetingSubject } from "../domain/meetings.js";
import type {
  ClaimOutcome,
  NoticeDefinition,
  NoticeRecord,
  Outbox,
  RecipientKey,
} from "../domain/notices.js";
import type { OpenNotices } from "../domain/reconcile-notices.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { DynamoMeetingRepository } from "./meeting-repository.js";
import { keys, LISTS_INDEX } from "./table-keys.js";

function recordKey(key: RecipientKey) {
  return keys.noticeRecord(key.subjectKey, key.noticeId, key.contactId);
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/** A definition as the domain knows it: without the keys that list it as open. */
function definitionOf(item: Record<string, unknown>): NoticeDefinition {
  const { gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, closedAt: _closedAt, ...rest } = item;
  return strip<NoticeDefinition>(rest);
}

export class DynamoNoticeRepository implements Outbox, DeliveryRepository, OpenNotices {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async define(
    definition: NoticeDefinition,
    recipientChunks: readonly (readonly string[])[] = [],
  ): Promise<NoticeDefinition> {
    const { subjectKey, noticeId } = definition;
    // The recipients first: a notice listed as open always has the chunks it was handed in.
    await this.writeChunks(subjectKey, noticeId, recipientChunks);
    const stored: NoticeDefinition = { ...definition, storedAt: new Date().toISOString() };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.noticeDefinition(subjectKey, noticeId),
            ...(definition.recipientCount > 0
              ? keys.openNotice(definition.definedAt, subjectKey, noticeId)
              : {}),
            ...stored,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return stored;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.getDefinition(subjectKey, noticeId);
      if (existing === undefined) throw error;
      return existing;
    }
  }

  /** One item per chunk (BatchWriteItem, 25 at a time): a write per chunk, not per recipient. */
  private async writeChunks(
    subjectKey: string,
    noticeId: string,
    chunks: readonly (readonly string[])[],
  ): Promise<void> {
    const puts = chunks.map((contactIds, index) => ({
      PutRequest: {
        Item: { ...keys.noticeChunk(subjectKey, noticeId, index), noticeId, contactIds },
      },
    }));
    for (let start = 0; start < puts.length; start += 25) {
      let requests: Record<string, unknown>[] = puts.slice(start, start + 25);
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
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
    return Item === undefined ? undefined : definitionOf(Item);
  }

  async claim(key: RecipientKey, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          UpdateExpression:
            "SET #status = :sending, claimedAt = :now, leaseUntil = :leaseUntil, updatedAt = :now, subjectKey = :subject, noticeId = :notice, contactId = :contact",
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :sending AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":now": now.toISOString(),
            ":leaseUntil": leaseUntil.toISOString(),
            ":subject": key.subjectKey,
            ":notice": key.noticeId,
            ":contact": key.contactId,
          },
        }),
      );
      return { status: "claimed" };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: recordKey(key), ConsistentRead: true }),
      );
      if (Item === undefined) {
        // Released between our write and our read: it is free again, for the next attempt.
        return { status: "busy", leaseUntil: now };
      }
      return Item.status === "sending"
        ? { status: "busy", leaseUntil: new Date(String(Item.leaseUntil ?? now.toISOString())) }
        : { status: "done" };
    }
  }

  async markAmbiguous(key: RecipientKey, reason: string, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          UpdateExpression:
            // The send is over: the lease ends now, so the next attempt sends it again.
            "SET ambiguousAt = :now, ambiguousReason = :reason, updatedAt = :now, leaseUntil = :now ADD ambiguousSends :one",
          ConditionExpression: "#status = :sending",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":now": now.toISOString(),
            ":reason": reason,
            ":one": 1,
            ":sending": "sending",
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async markSent(key: RecipientKey, messageId: string, now: Date): Promise<void> {
    // No pointer from the message id: the message's tags name this record in its SES events.
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

  /**
   * Every notice record of one contact. No index lists them: an index entry per record would be
   * one more write for every email sent, for a listing ops read now and then. A record's key is
   * known from its notice and its contact, so every notice ever defined (the Chair's and every
   * meeting's, the meetings being listed in the `lists` index) is looked up by that key, 100 a
   * BatchGetItem: a few requests per meeting the secretariat has held, whatever the audience.
   */
  async listForContact(contactId: string): Promise<NoticeRecord[]> {
    const meetings = await new DynamoMeetingRepository(this.client, this.tableName).list();
    const subjects = [
      CHAIR_SUBJECT,
      ...meetings.map((meeting) => meetingSubject(meeting.meetingId)),
    ];
    const definitions: Record<string, unknown>[] = [];
    for (let start = 0; start < subjects.length; start += 8) {
      const some = subjects.slice(start, start + 8);
      for (const items of await Promise.all(some.map((subject) => this.definitionKeys(subject)))) {
        definitions.push(...items);
      }
    }
    const records = await this.getItems(
      definitions.map((definition) =>
        keys.noticeRecord(String(definition.pk), String(definition.noticeId), contactId),
      ),
    );
    return records
      .map((item) => strip<NoticeRecord>(item))
      .sort((a, b) =>
        `${a.subjectKey}#${a.noticeId}`.localeCompare(`${b.subjectKey}#${b.noticeId}`),
      );
  }

  /** The keys and notice ids of one subject's notice definitions. */
  private async definitionKeys(subjectKey: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": subjectKey, ":prefix": "NOTICEDEF#" },
          ProjectionExpression: "pk, noticeId",
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) items.push(...(page.Items ?? []));
    return items;
  }

  /** Items by key, 100 a BatchGetItem, what DynamoDB leaves unprocessed asked again. */
  private async getItems(itemKeys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < itemKeys.length; start += 100) {
      let wanted = itemKeys.slice(start, start + 100);
      for (let attempt = 0; wanted.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: wanted, ConsistentRead: true } },
          }),
        );
        items.push(...(Responses?.[this.tableName] ?? []));
        wanted = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return items;
  }

  listRecords(subjectKey: string): Promise<NoticeRecord[]> {
    return this.query<NoticeRecord>(subjectKey, "NOTICE#");
  }

  async listDefinitions(subjectKey: string): Promise<NoticeDefinition[]> {
    const items = await this.query<Record<string, unknown>>(subjectKey, "NOTICEDEF#");
    return items.map(definitionOf);
  }

  async listOpen(definedBefore: Date): Promise<NoticeDefinition[]> {
    const definitions: NoticeDefinition[] = [];
    const { gsi1pk } = keys.openNotice("", "", "");
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression: "gsi1pk = :open AND gsi1sk < :before",
          ExpressionAttributeValues: { ":open": gsi1pk, ":before": definedBefore.toISOString() },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      definitions.push(...(page.Items ?? []).map(definitionOf));
    }
    return definitions;
  }

  async recipientChunks(subjectKey: string, noticeId: string): Promise<string[][]> {
    const items = await this.query<{ contactIds?: string[] }>(
      subjectKey,
      `NOTICECHUNK#${noticeId}#`,
    );
    return items.map((item) => item.contactIds ?? []);
  }

  noticeRecords(subjectKey: string, noticeId: string): Promise<NoticeRecord[]> {
    return this.query<NoticeRecord>(subjectKey, `NOTICE#${noticeId}#`);
  }

  async giveUp(key: RecipientKey, reason: string, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(key),
          UpdateExpression:
            "SET #status = :failed, reason = :reason, updatedAt = :now, subjectKey = :subject, noticeId = :notice, contactId = :contact REMOVE claimedAt, leaseUntil",
          // Never over a record that is final, nor a claim whose sender still holds it.
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :sending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":failed": "failed",
            ":sending": "sending",
            ":reason": reason,
            ":now": now.toISOString(),
            ":subject": key.subjectKey,
            ":notice": key.noticeId,
            ":contact": key.contactId,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async close(subjectKey: string, noticeId: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.noticeDefinition(subjectKey, noticeId),
        UpdateExpression: "SET closedAt = :now REMOVE gsi1pk, gsi1sk",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":now": now.toISOString() },
      }),
    );
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
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      items.push(...(page.Items ?? []).map((item) => strip<T>(item)));
    }
    return items;
  }
}
