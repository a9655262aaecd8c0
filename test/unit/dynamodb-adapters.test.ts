import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import type { Contact } from "../../shared/domain/contacts.js";
import type { CancelledBeforeScheduled, Meeting } from "../../shared/domain/meetings.js";
import type { RejectedEvent } from "../../shared/domain/rejections.js";
import { ERIKA_DETAIL, SOM9_DETAIL } from "../support/examples.js";

const TABLE = "kp-test-table";
const documents = mockClient(DynamoDBDocumentClient);
const client = createDocumentClient(new DynamoDBClient({ region: "eu-central-1" }));

const erika: Contact = { ...ERIKA_DETAIL, updatedAt: "2023-03-01T10:00:00Z" };

const ana: Contact = {
  contactId: "iom-observer-1",
  name: "Ana Ruiz",
  email: "ana.ruiz@example.org",
  organisation: "IOM",
  roles: ["observer"],
  language: "en",
  timeZone: "Europe/Vienna",
  reminders: true,
  updatedAt: "2023-03-01T10:00:00Z",
};

function storedContact(contact: Contact, group: string, representing: string) {
  return {
    pk: `CONTACT#${contact.contactId}`,
    sk: "CONTACT",
    gsi1pk: `AUDIENCE#${group}`,
    gsi1sk: `${representing}#${contact.contactId}`,
    ...contact,
  };
}

function conditionalCheckFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: "The conditional request failed",
    $metadata: {},
  });
}

beforeEach(() => {
  documents.reset();
});

describe("DynamoContactRepository.save", () => {
  it("puts the contact with its key and the audience keys of a member state's contact", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.save(erika);

    // Assess
    expect(outcome).toEqual({ saved: true });
    const [put] = documents.commandCalls(PutCommand);
    expect(put?.args[0].input).toMatchObject({
      TableName: TABLE,
      Item: {
        pk: "CONTACT#de-focal-point-1",
        sk: "CONTACT",
        gsi1pk: "AUDIENCE#member-state",
        gsi1sk: "DE#de-focal-point-1",
        ...erika,
      },
    });
  });

  it("files a partner organisation's contact under partner, and the secretariat's under secretariat", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    await contacts.save(ana);
    await contacts.save({ ...ana, contactId: "icmpd-staff-1", organisation: "ICMPD" });

    // Assess
    const items = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(items[0]).toMatchObject({ gsi1pk: "AUDIENCE#partner", gsi1sk: "IOM#iom-observer-1" });
    expect(items[1]).toMatchObject({
      gsi1pk: "AUDIENCE#secretariat",
      gsi1sk: "ICMPD#icmpd-staff-1",
    });
  });

  it("puts only when no later change or removal is stored (newer wins)", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    await contacts.save(erika);

    // Assess
    const input = documents.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      "attribute_not_exists(pk) OR updatedAt <= :eventTime OR removedAt < :eventTime",
    );
    expect(input?.ExpressionAttributeValues).toEqual({ ":eventTime": "2023-03-01T10:00:00Z" });
  });

  it("reports a later removal when the condition fails on a tombstone", async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionalCheckFailed());
    documents.on(GetCommand).resolves({
      Item: {
        pk: "CONTACT#de-focal-point-1",
        sk: "CONTACT",
        contactId: "de-focal-point-1",
        removedAt: "2023-03-20T10:00:00Z",
      },
    });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.save(erika);

    // Assess
    expect(outcome).toEqual({
      saved: false,
      removed: true,
      laterChangeAt: "2023-03-20T10:00:00Z",
    });
    expect(documents.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: "CONTACT#de-focal-point-1", sk: "CONTACT" },
      ConsistentRead: true,
    });
  });

  it("reports a later change when the condition fails on a newer contact", async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionalCheckFailed());
    documents.on(GetCommand).resolves({
      Item: storedContact({ ...erika, updatedAt: "2023-03-05T10:00:00Z" }, "member-state", "DE"),
    });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.save(erika);

    // Assess
    expect(outcome).toEqual({
      saved: false,
      removed: false,
      laterChangeAt: "2023-03-05T10:00:00Z",
    });
  });

  it("lets any other DynamoDB error through", async () => {
    // Prepare
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ProvisionedThroughputExceededException",
    });
    documents.on(PutCommand).rejects(throttled);
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const saving = contacts.save(erika);

    // Assess
    await expect(saving).rejects.toThrow("Rate exceeded");
    expect(documents.commandCalls(GetCommand)).toHaveLength(0);
  });
});

describe("DynamoContactRepository.erase", () => {
  it("replaces a stored contact not changed after the removal with a tombstone that keeps only the id and the time", async () => {
    // Prepare
    documents.on(PutCommand).resolves({ Attributes: storedContact(erika, "member-state", "DE") });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.erase("de-focal-point-1", "2023-03-20T10:00:00Z");

    // Assess
    expect(outcome).toEqual({ status: "erased" });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: "CONTACT#de-focal-point-1",
        sk: "CONTACT",
        contactId: "de-focal-point-1",
        removedAt: "2023-03-20T10:00:00Z",
      },
      ConditionExpression:
        "attribute_not_exists(pk) OR (attribute_not_exists(removedAt) AND updatedAt <= :removedAt) OR removedAt < :removedAt",
      ExpressionAttributeValues: { ":removedAt": "2023-03-20T10:00:00Z" },
      ReturnValues: "ALL_OLD",
    });
  });

  it("keeps an id never stored as removed, and says unknown", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.erase("de-focal-point-1", "2023-03-20T10:00:00Z");

    // Assess
    expect(outcome).toEqual({ status: "unknown" });
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
  });

  it("says already-removed when a tombstone was stored, whichever removal is later", async () => {
    // Prepare
    documents
      .on(PutCommand)
      .resolvesOnce({
        Attributes: { contactId: "de-focal-point-1", removedAt: "2023-03-19T10:00:00Z" },
      })
      .rejectsOnce(conditionalCheckFailed());
    documents.on(GetCommand).resolves({
      Item: {
        pk: "CONTACT#de-focal-point-1",
        sk: "CONTACT",
        contactId: "de-focal-point-1",
        removedAt: "2023-03-20T10:00:00Z",
      },
    });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const later = await contacts.erase("de-focal-point-1", "2023-03-20T10:00:00Z");
    const earlier = await contacts.erase("de-focal-point-1", "2023-03-18T10:00:00Z");

    // Assess
    expect(later).toEqual({ status: "already-removed" });
    expect(earlier).toEqual({ status: "already-removed" });
  });

  it("says changed-later, erasing nothing, when the contact was upserted after the removal", async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionalCheckFailed());
    documents.on(GetCommand).resolves({
      Item: storedContact({ ...erika, updatedAt: "2023-03-21T10:00:00Z" }, "member-state", "DE"),
    });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const outcome = await contacts.erase("de-focal-point-1", "2023-03-20T10:00:00Z");

    // Assess
    expect(outcome).toEqual({ status: "changed-later", laterChangeAt: "2023-03-21T10:00:00Z" });
  });
});

describe("DynamoMeetingRepository", () => {
  const cancellation: CancelledBeforeScheduled = {
    meetingId: "som-9-berlin-2023",
    status: "cancelled-before-scheduled",
    cancelledAt: "2023-02-01T10:00:05.000Z",
  };
  const som9: Meeting = {
    ...SOM9_DETAIL,
    status: "scheduled",
    sequence: 0,
    scheduledDetail: "{}",
    scheduledAt: "2023-02-01T10:00:00.000Z",
    updatedAt: "2023-02-01T10:00:00.000Z",
  };

  it("creates a meeting only where none is stored, or over a cancellation kept from before its scheduling", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const meetings = new DynamoMeetingRepository(client, TABLE);

    // Act
    const outcome = await meetings.create(som9);

    // Assess
    expect(outcome).toBeUndefined();
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression:
        "attribute_not_exists(pk) OR (#status = :cancelledBefore AND cancelledAt < :scheduledAt)",
      ExpressionAttributeValues: {
        ":cancelledBefore": "cancelled-before-scheduled",
        ":scheduledAt": "2023-02-01T10:00:00.000Z",
      },
    });
  });

  it("answers the kept cancellation when it is not older than the Meeting Scheduled", async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionalCheckFailed());
    documents.on(GetCommand).resolves({
      Item: { pk: "MEETING#som-9-berlin-2023", sk: "MEETING", ...cancellation },
    });
    const meetings = new DynamoMeetingRepository(client, TABLE);

    // Act
    const outcome = await meetings.create(som9);

    // Assess
    expect(outcome).toEqual(cancellation);
    expect(await meetings.get(som9.meetingId)).toBeUndefined();
    expect(await meetings.find(som9.meetingId)).toEqual(cancellation);
  });

  it("keeps a cancellation under the meeting's key only, out of the meetings list", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const meetings = new DynamoMeetingRepository(client, TABLE);

    // Act
    const outcome = await meetings.keepCancelled(cancellation);

    // Assess
    expect(outcome).toBeUndefined();
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: "MEETING#som-9-berlin-2023", sk: "MEETING", ...cancellation },
      ConditionExpression:
        "attribute_not_exists(pk) OR (#status = :cancelledBefore AND cancelledAt < :cancelledAt)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":cancelledBefore": "cancelled-before-scheduled",
        ":cancelledAt": "2023-02-01T10:00:05.000Z",
      },
    });
  });

  it("answers the meeting when one was scheduled before the cancellation could be kept", async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionalCheckFailed());
    documents
      .on(GetCommand)
      .resolves({ Item: { pk: "MEETING#som-9-berlin-2023", sk: "MEETING", ...som9 } });
    const meetings = new DynamoMeetingRepository(client, TABLE);

    // Act
    const outcome = await meetings.keepCancelled(cancellation);

    // Assess
    expect(outcome).toEqual(som9);
  });
});

describe("DynamoContactRepository.get", () => {
  it("returns the contact without the table's keys", async () => {
    // Prepare
    documents.on(GetCommand).resolves({ Item: storedContact(erika, "member-state", "DE") });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const contact = await contacts.get("de-focal-point-1");

    // Assess
    expect(contact).toEqual(erika);
  });

  it("returns nothing for a removed contact", async () => {
    // Prepare
    documents.on(GetCommand).resolves({
      Item: { contactId: "de-focal-point-1", removedAt: "2023-03-20T10:00:00Z" },
    });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const contact = await contacts.get("de-focal-point-1");

    // Assess
    expect(contact).toBeUndefined();
  });
});

describe("DynamoContactRepository.listGroups", () => {
  it("queries the audience index once per member state, with begins_with on its code", async () => {
    // Prepare
    const ss = { ...erika, contactId: "ss-focal-point-1", memberState: "SS" };
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ":prefix": "SS#" } })
      .resolves({ Items: [storedContact(ss, "member-state", "SS")] })
      .on(QueryCommand, { ExpressionAttributeValues: { ":prefix": "DE#" } })
      .resolves({ Items: [storedContact(erika, "member-state", "DE")] });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const listed = await contacts.listGroups(["member-state"], ["SS", "DE"]);

    // Assess
    expect(listed).toEqual([ss, erika]);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      {
        TableName: TABLE,
        IndexName: "lists",
        KeyConditionExpression: "gsi1pk = :group AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: { ":group": "AUDIENCE#member-state", ":prefix": "SS#" },
        ExclusiveStartKey: undefined,
      },
      {
        TableName: TABLE,
        IndexName: "lists",
        KeyConditionExpression: "gsi1pk = :group AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: { ":group": "AUDIENCE#member-state", ":prefix": "DE#" },
        ExclusiveStartKey: undefined,
      },
    ]);
  });

  it("follows LastEvaluatedKey until the last page", async () => {
    // Prepare
    const lastKey = {
      pk: "CONTACT#de-focal-point-1",
      sk: "CONTACT",
      gsi1pk: "AUDIENCE#member-state",
      gsi1sk: "DE#de-focal-point-1",
    };
    const erich = { ...erika, contactId: "de-focal-point-2", name: "Erich Mustermann" };
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [storedContact(erika, "member-state", "DE")],
        LastEvaluatedKey: lastKey,
      })
      .resolvesOnce({ Items: [storedContact(erich, "member-state", "DE")] });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const listed = await contacts.listGroups(["member-state"]);

    // Assess
    expect(listed).toEqual([erika, erich]);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]?.ExclusiveStartKey).toBeUndefined();
    expect(inputs[1]?.ExclusiveStartKey).toEqual(lastKey);
  });

  it("queries a whole group without a prefix, for each group asked", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [] });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    await contacts.listGroups(["secretariat", "partner"], ["SS"]);

    // Assess
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.KeyConditionExpression)).toEqual([
      "gsi1pk = :group",
      "gsi1pk = :group",
    ]);
    expect(inputs.map((input) => input.ExpressionAttributeValues)).toEqual([
      { ":group": "AUDIENCE#secretariat" },
      { ":group": "AUDIENCE#partner" },
    ]);
  });

  it("lists every contact from the three groups", async () => {
    // Prepare
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ":group": "AUDIENCE#member-state" } })
      .resolves({ Items: [storedContact(erika, "member-state", "DE")] })
      .on(QueryCommand, { ExpressionAttributeValues: { ":group": "AUDIENCE#secretariat" } })
      .resolves({})
      .on(QueryCommand, { ExpressionAttributeValues: { ":group": "AUDIENCE#partner" } })
      .resolves({ Items: [storedContact(ana, "partner", "IOM")] });
    const contacts = new DynamoContactRepository(client, TABLE);

    // Act
    const listed = await contacts.list();

    // Assess
    expect(listed).toEqual([erika, ana]);
    expect(documents.commandCalls(QueryCommand)).toHaveLength(3);
  });
});

/** An item as recorded now (the event as JSON text) or before (the event as a map). */
function rejectedItem(
  eventTime: string,
  eventId: string,
  contactId?: string,
  form: "text" | "map" = "text",
) {
  const detail = {
    contactId: contactId ?? "de-focal-point-1",
    name: "Erika Mustermann",
    email: "erika-at-example.de",
    memberState: "DE",
  };
  return {
    pk: "REJECTED",
    sk: `${eventTime}#${eventId}`,
    eventId,
    eventTime,
    rejectedAt: eventTime,
    source: "kp.secretariat",
    detailType: "Contact Upserted",
    reason: "detail.email: must be an email address",
    event:
      form === "map"
        ? { id: eventId, time: eventTime, "detail-type": "Contact Upserted", detail }
        : JSON.stringify({
            id: eventId,
            time: eventTime,
            "detail-type": "Contact Upserted",
            detail,
          }),
    ...(contactId === undefined ? {} : { contactId }),
  };
}

describe("DynamoRejectionRepository", () => {
  it("records a rejected event under the time and id of the event", async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const rejections = new DynamoRejectionRepository(client, TABLE);
    const {
      pk: _pk,
      sk: _sk,
      ...rejected
    } = rejectedItem("2023-03-10T08:00:00Z", "event-1", "de-focal-point-1");

    // Act
    await rejections.record(rejected as RejectedEvent);

    // Assess
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: "REJECTED", sk: "2023-03-10T08:00:00Z#event-1", ...rejected },
    });
  });

  it("lists the newest first, without the table's keys", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({
      Items: [
        rejectedItem("2023-03-12T08:00:00Z", "event-2"),
        rejectedItem("2023-03-10T08:00:00Z", "event-1"),
      ],
    });
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const listed = await rejections.list();

    // Assess
    expect(listed.map((rejected) => rejected.eventId)).toEqual(["event-2", "event-1"]);
    expect(listed[0]).not.toHaveProperty("pk");
    expect(listed[0]).not.toHaveProperty("sk");
    expect(documents.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": "REJECTED" },
      ScanIndexForward: false,
    });
  });

  it("reads an item recorded before events were kept as text, its event map as text", async () => {
    // Prepare
    const old = rejectedItem("2023-03-10T08:00:00Z", "event-1", undefined, "map");
    documents.on(QueryCommand).resolves({ Items: [old] });
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const [listed] = await rejections.list();

    // Assess
    expect(typeof listed?.event).toBe("string");
    expect(JSON.parse(listed?.event ?? "")).toEqual(old.event);
  });

  it("stops reading pages once it has the number asked for", async () => {
    // Prepare
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          rejectedItem("2023-03-12T08:00:00Z", "event-3"),
          rejectedItem("2023-03-11T08:00:00Z", "event-2"),
        ],
        LastEvaluatedKey: { pk: "REJECTED", sk: "2023-03-11T08:00:00Z#event-2" },
      })
      .resolvesOnce({ Items: [rejectedItem("2023-03-10T08:00:00Z", "event-1")] });
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const listed = await rejections.list({ limit: 1 });

    // Assess
    expect(listed.map((rejected) => rejected.eventId)).toEqual(["event-3"]);
    expect(documents.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it("reads every page when no limit is given", async () => {
    // Prepare
    const lastKey = { pk: "REJECTED", sk: "2023-03-11T08:00:00Z#event-2" };
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          rejectedItem("2023-03-12T08:00:00Z", "event-3"),
          rejectedItem("2023-03-11T08:00:00Z", "event-2"),
        ],
        LastEvaluatedKey: lastKey,
      })
      .resolvesOnce({ Items: [rejectedItem("2023-03-10T08:00:00Z", "event-1")] });
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const listed = await rejections.list();

    // Assess
    expect(listed.map((rejected) => rejected.eventId)).toEqual(["event-3", "event-2", "event-1"]);
    expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(
      lastKey,
    );
  });

  it("erases the contact's rejected events: asks only for those about the contact, not yet erased", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [] });
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const erased = await rejections.eraseContact("de-focal-point-1");

    // Assess
    expect(erased).toBe(0);
    expect(documents.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk",
      FilterExpression: "contactId = :contactId AND attribute_not_exists(erasedAt)",
      ExpressionAttributeValues: { ":pk": "REJECTED", ":contactId": "de-focal-point-1" },
    });
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("replaces each matching item's event with the erased event and counts them", async () => {
    // Prepare
    const first = rejectedItem("2023-03-10T08:00:00Z", "event-1", "de-focal-point-1", "map");
    const second = rejectedItem("2023-03-11T08:00:00Z", "event-2", "de-focal-point-1");
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [first], LastEvaluatedKey: { pk: first.pk, sk: first.sk } })
      .resolvesOnce({ Items: [second] });
    documents.on(UpdateCommand).resolves({});
    const rejections = new DynamoRejectionRepository(client, TABLE);

    // Act
    const erased = await rejections.eraseContact("de-focal-point-1");

    // Assess
    expect(erased).toBe(2);
    const updates = documents.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((update) => update.Key)).toEqual([
      { pk: "REJECTED", sk: "2023-03-10T08:00:00Z#event-1" },
      { pk: "REJECTED", sk: "2023-03-11T08:00:00Z#event-2" },
    ]);
    expect(updates[0]).toMatchObject({
      TableName: TABLE,
      UpdateExpression: "SET #event = :event, erasedAt = :now",
      ExpressionAttributeNames: { "#event": "event" },
    });
    // The old item's map and the new item's text both become erased JSON text.
    for (const [index, update] of updates.entries()) {
      expect(JSON.parse(update.ExpressionAttributeValues?.[":event"])).toEqual({
        id: `event-${index + 1}`,
        time: `2023-03-1${index}T08:00:00Z`,
        "detail-type": "Contact Upserted",
        detail: { contactId: "de-focal-point-1", memberState: "DE", erased: ["name", "email"] },
      });
    }
    expect(updates[0]?.ExpressionAttributeValues?.[":now"]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe("DynamoNoticeRepository.claim", () => {
  const key = {
    subjectKey: "MEETING#som-9-berlin-2023",
    noticeId: "invitation-v0",
    contactId: "de-focal-point-1",
  };

  it("claims until the claimer's deadline, and only a record whose lease has ended can be taken over", async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const notices = new DynamoNoticeRepository(client, TABLE);

    // Act
    const outcome = await notices.claim(
      key,
      new Date("2023-02-01T10:00:00.000Z"),
      new Date("2023-02-01T10:04:00.000Z"),
    );

    // Assess
    expect(outcome).toEqual({ status: "claimed" });
    const input = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      "attribute_not_exists(pk) OR (#status = :sending AND leaseUntil < :now)",
    );
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ":now": "2023-02-01T10:00:00.000Z",
      ":leaseUntil": "2023-02-01T10:04:00.000Z",
    });
    // The record is in no index: the claim writes no index key.
    expect(input?.UpdateExpression).not.toMatch(/gsi/);
  });

  it("says busy for a record still being sent, done for one sent", async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(conditionalCheckFailed());
    documents
      .on(GetCommand)
      .resolvesOnce({ Item: { status: "sending", leaseUntil: "2023-02-01T10:00:30.000Z" } })
      .resolvesOnce({ Item: { status: "sent" } });
    const notices = new DynamoNoticeRepository(client, TABLE);
    const now = new Date("2023-02-01T10:00:00.000Z");

    // Act
    const first = await notices.claim(key, now, new Date(now.getTime() + 30_000));
    const second = await notices.claim(key, now, new Date(now.getTime() + 30_000));

    // Assess: a busy claim says when its lease ends, so the sender can wait for it.
    expect([first, second]).toEqual([
      { status: "busy", leaseUntil: new Date("2023-02-01T10:00:30.000Z") },
      { status: "done" },
    ]);
  });
});

describe("DynamoNoticeRepository and the reconciler's items", () => {
  const definition = {
    subjectKey: "MEETING#thematic-2027",
    noticeId: "invitation-v0",
    kind: "invitation" as const,
    definedAt: "2027-01-10T09:00:00.000Z",
    recipientCount: 3,
  };

  it("writes one item per chunk, then the definition listed as open by the time it was defined", async () => {
    // Prepare
    documents.on(BatchWriteCommand).resolves({});
    documents.on(PutCommand).resolves({});
    const notices = new DynamoNoticeRepository(client, TABLE);

    // Act
    await notices.define(definition, [["a-1", "a-2"], ["a-3"]]);

    // Assess
    const [batch] = documents.commandCalls(BatchWriteCommand);
    expect(batch?.args[0].input.RequestItems?.[TABLE]).toEqual([
      {
        PutRequest: {
          Item: {
            pk: "MEETING#thematic-2027",
            sk: "NOTICECHUNK#invitation-v0#00000",
            noticeId: "invitation-v0",
            contactIds: ["a-1", "a-2"],
          },
        },
      },
      {
        PutRequest: {
          Item: {
            pk: "MEETING#thematic-2027",
            sk: "NOTICECHUNK#invitation-v0#00001",
            noticeId: "invitation-v0",
            contactIds: ["a-3"],
          },
        },
      },
    ]);
    const put = documents.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({
      pk: "MEETING#thematic-2027",
      sk: "NOTICEDEF#invitation-v0",
      gsi1pk: "OPEN_NOTICES",
      gsi1sk: "2027-01-10T09:00:00.000Z#MEETING#thematic-2027#invitation-v0",
      storedAt: expect.stringMatching(/^\d{4}-/),
    });
  });

  it("lists open notices defined before a time through the lists index, without their keys", async () => {
    // Prepare
    documents.on(QueryCommand).resolves({
      Items: [
        {
          pk: "MEETING#thematic-2027",
          sk: "NOTICEDEF#invitation-v0",
          gsi1pk: "OPEN_NOTICES",
          gsi1sk: "2027-01-10T09:00:00.000Z#MEETING#thematic-2027#invitation-v0",
          ...definition,
        },
      ],
    });
    const notices = new DynamoNoticeRepository(client, TABLE);

    // Act
    const open = await notices.listOpen(new Date("2027-01-10T09:10:00.000Z"));

    // Assess
    expect(open).toEqual([definition]);
    expect(documents.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: "lists",
      KeyConditionExpression: "gsi1pk = :open AND gsi1sk < :before",
      ExpressionAttributeValues: { ":open": "OPEN_NOTICES", ":before": "2027-01-10T09:10:00.000Z" },
    });
  });

  it("gives up only on a recipient with no record or a claim whose lease has ended", async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const notices = new DynamoNoticeRepository(client, TABLE);

    // Act
    await notices.giveUp(
      { subjectKey: definition.subjectKey, noticeId: definition.noticeId, contactId: "a-1" },
      "gave up after 24 h",
      new Date("2027-01-11T09:00:00.000Z"),
    );

    // Assess
    const input = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      "attribute_not_exists(pk) OR (#status = :sending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now))",
    );
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ":failed": "failed",
      ":reason": "gave up after 24 h",
    });
  });
});
