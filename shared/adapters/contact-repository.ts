import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { CONTACT_FIELDS } from "../contract/contact-upserted.js";
import type { AudienceQuery } from "../domain/audience.js";
import {
  type Contact,
  type ContactGroup,
  type ContactRepository,
  contactGroup,
  type EraseOutcome,
  type SaveOutcome,
} from "../domain/contacts.js";
import type { Suppressions } from "../domain/delivery-status.js";
import { isConditionalCheckFailed, pages } from "./dynamodb-client.js";
import { keys, LISTS_INDEX } from "./table-keys.js";

/** What a stored contact holds: the contract's fields, and what the system adds. */
const STORED_FIELDS = [...CONTACT_FIELDS, "updatedAt", "suppressed", "remindersStoppedAt"] as const;

function toContact(item: Record<string, unknown>): Contact {
  const contact: Record<string, unknown> = {};
  for (const field of STORED_FIELDS) {
    if (item[field] !== undefined) contact[field] = item[field];
  }
  return contact as unknown as Contact;
}

function isTombstone(item: Record<string, unknown> | undefined): boolean {
  return item?.removedAt !== undefined;
}

export class DynamoContactRepository implements ContactRepository, Suppressions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(contact: Contact): Promise<SaveOutcome> {
    const group = contactGroup(contact);
    const representing = contact.memberState ?? contact.organisation ?? "";
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.contact(contact.contactId),
            ...keys.contactAudience(group, representing, contact.contactId),
            ...contact,
          },
          // Newer wins: neither an older change nor one sent before (or with) the removal is
          // applied; EventBridge times are to the second, and a tie goes to the erasure.
          ConditionExpression:
            "attribute_not_exists(pk) OR updatedAt <= :eventTime OR removedAt < :eventTime",
          ExpressionAttributeValues: { ":eventTime": contact.updatedAt },
        }),
      );
      return { saved: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = await this.getItem(contact.contactId);
      return {
        saved: false,
        removed: isTombstone(stored),
        laterChangeAt: String(stored?.removedAt ?? stored?.updatedAt ?? ""),
      };
    }
  }

  async erase(contactId: string, removedAt: string): Promise<EraseOutcome> {
    try {
      const { Attributes } = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.contact(contactId), contactId, removedAt },
          // Erase a contact not changed after the removal (a tie goes to the erasure); keep an
          // unknown id as removed; a tombstone keeps the latest removal, so that no upsert sent
          // before any of them comes back.
          ConditionExpression:
            "attribute_not_exists(pk) OR (attribute_not_exists(removedAt) AND updatedAt <= :removedAt) OR removedAt < :removedAt",
          ExpressionAttributeValues: { ":removedAt": removedAt },
          ReturnValues: "ALL_OLD",
        }),
      );
      if (Attributes === undefined) return { status: "unknown" };
      return isTombstone(Attributes) ? { status: "already-removed" } : { status: "erased" };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = await this.getItem(contactId);
      if (stored === undefined || isTombstone(stored)) return { status: "already-removed" };
      return { status: "changed-later", laterChangeAt: String(stored.updatedAt) };
    }
  }

  async suppress(
    contactId: string,
    reason: string,
    at: string,
    address?: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.contact(contactId),
          UpdateExpression: "SET suppressed = :suppressed",
          // Only while the contact still has the address that bounced: an upsert with another
          // address between our read and this write wins.
          ConditionExpression:
            address === undefined
              ? "attribute_exists(pk) AND attribute_not_exists(removedAt)"
              : "attribute_exists(pk) AND attribute_not_exists(removedAt) AND email = :address",
          ExpressionAttributeValues: {
            ":suppressed": { reason, at },
            ...(address === undefined ? {} : { ":address": address }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** The member's own stop of their reminders (see Contact.remindersStoppedAt). */
  async stopReminders(contactId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.contact(contactId),
          UpdateExpression: "SET reminders = :off, remindersStoppedAt = :at",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(removedAt)",
          ExpressionAttributeValues: { ":off": false, ":at": at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Undoes the member's own stop; never reminders the secretariat turned off. */
  async resumeReminders(contactId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.contact(contactId),
          UpdateExpression: "SET reminders = :on REMOVE remindersStoppedAt",
          // Resumed already (a second POST) is fine; off by the secretariat's choice is not.
          ConditionExpression:
            "attribute_exists(pk) AND attribute_not_exists(removedAt) AND (attribute_exists(remindersStoppedAt) OR reminders = :on)",
          ExpressionAttributeValues: { ":on": true },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async currentAddress(contactId: string): Promise<string | undefined> {
    return (await this.get(contactId))?.email;
  }

  /** True once the contact has been removed (a tombstone is stored). */
  async isRemoved(contactId: string): Promise<boolean> {
    return isTombstone(await this.getItem(contactId));
  }

  async get(contactId: string): Promise<Contact | undefined> {
    const item = await this.getItem(contactId);
    return item === undefined || isTombstone(item) ? undefined : toContact(item);
  }

  /** Contacts of the given groups, optionally only those of some member states. */
  async listGroups(groups: readonly ContactGroup[], memberStates?: readonly string[]) {
    const contacts: Contact[] = [];
    for (const group of groups) {
      const prefixes =
        group === "member-state" && memberStates !== undefined
          ? memberStates.map((code) => `${code}#`)
          : [undefined];
      for (const prefix of prefixes) {
        contacts.push(...(await this.queryGroup(group, prefix)));
      }
    }
    return contacts;
  }

  listAudience(query: AudienceQuery): Promise<Contact[]> {
    return this.listGroups(query.groups, query.memberStates);
  }

  /** The stored contacts among these ids (removed and unknown ones are absent). */
  async getMany(contactIds: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    const unique = [...new Set(contactIds)];
    for (let start = 0; start < unique.length; start += 100) {
      let requested: Record<string, unknown>[] = unique
        .slice(start, start + 100)
        .map((contactId) => keys.contact(contactId));
      for (let attempt = 0; requested.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const response = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: requested, ConsistentRead: true } },
          }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          if (!isTombstone(item)) found.set(String(item.contactId), toContact(item));
        }
        requested = (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<
          string,
          unknown
        >[];
      }
    }
    return found;
  }

  list(): Promise<Contact[]> {
    return this.listGroups(["member-state", "secretariat", "partner"]);
  }

  private async queryGroup(group: ContactGroup, prefix: string | undefined): Promise<Contact[]> {
    const contacts: Contact[] = [];
    const query = (startKey: Record<string, unknown> | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTS_INDEX,
          KeyConditionExpression:
            prefix === undefined
              ? "gsi1pk = :group"
              : "gsi1pk = :group AND begins_with(gsi1sk, :prefix)",
          ExpressionAttributeValues: {
            ":group": `AUDIENCE#${group}`,
            ...(prefix === undefined ? {} : { ":prefix": prefix }),
          },
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      contacts.push(...(page.Items ?? []).map(toContact));
    }
    return contacts;
  }

  private async getItem(contactId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.contact(contactId),
        ConsistentRead: true,
      }),
    );
    return Item;
  }
}
