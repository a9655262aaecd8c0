import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { keys } from "../../shared/adapters/table-keys.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

const erika = {
  contactId: "de-focal-point-1",
  name: "Erika Mustermann",
  email: "erika.mustermann@example.de",
  memberState: "DE",
  roles: ["focal-point"],
  language: "en",
  timeZone: "Europe/Berlin",
  reminders: true,
};

describe("contacts through the local runtime", () => {
  let stack: LocalStack;
  let contacts: DynamoContactRepository;
  let rejections: DynamoRejectionRepository;

  beforeAll(async () => {
    stack = await startLocalStack();
    contacts = new DynamoContactRepository(stack.documents, stack.tableName);
    rejections = new DynamoRejectionRepository(stack.documents, stack.tableName);
  });
  afterAll(() => stack.stop());

  it("stores a contact put with Contact Upserted", async () => {
    await stack.put({ detailType: "Contact Upserted", detail: erika });

    const stored = await contacts.get(erika.contactId);
    expect(stored).toMatchObject(erika);
    expect(stored?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("applies the contract's defaults: English, the capital's time zone, reminders on", async () => {
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "ss-focal-point-1",
        name: "Deng Garang",
        email: "deng@example.ss",
        memberState: "SS",
      },
    });
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "iom-observer-1",
        name: "Ana Ruiz",
        email: "ana@example.org",
        organisation: "IOM",
      },
    });

    expect(await contacts.get("ss-focal-point-1")).toMatchObject({
      language: "en",
      timeZone: "Africa/Juba",
      reminders: true,
      roles: [],
    });
    expect((await contacts.get("iom-observer-1"))?.timeZone).toBe("Europe/Vienna");
  });

  it("lists contacts by audience group with a query of the audience index", async () => {
    const members = await contacts.listGroups(["member-state"], ["SS"]);
    const partners = await contacts.listGroups(["partner"]);

    expect(members.map((contact) => contact.contactId)).toEqual(["ss-focal-point-1"]);
    expect(partners.map((contact) => contact.contactId)).toEqual(["iom-observer-1"]);
  });

  it("keeps an invalid Contact Upserted as rejected with a readable reason, and stores nothing", async () => {
    const [eventId] = await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "fr-focal-point-1",
        name: "Jean\r\nBcc: x@evil.example",
        email: "not-an-email",
        memberState: "FR",
      },
    });

    expect(await contacts.get("fr-focal-point-1")).toBeUndefined();
    const rejected = (await rejections.list()).find((item) => item.eventId === eventId);
    expect(rejected?.reason).toContain(
      "detail.name: must be a single line without control characters",
    );
    expect(rejected?.reason).toContain("detail.email: must be an email address");
    expect(JSON.parse(rejected?.event ?? "")).toMatchObject({
      "detail-type": "Contact Upserted",
      detail: { contactId: "fr-focal-point-1" },
    });
  });

  it("rejects a contact of both a member state and an organisation, or of an unknown country", async () => {
    const [both, unknown] = await stack.put(
      {
        detailType: "Contact Upserted",
        detail: {
          contactId: "xx-both-1",
          name: "A B",
          email: "a@example.org",
          memberState: "KE",
          organisation: "IOM",
        },
      },
      {
        detailType: "Contact Upserted",
        detail: { contactId: "us-1", name: "A B", email: "a@example.org", memberState: "US" },
      },
    );

    const reasons = new Map((await rejections.list()).map((item) => [item.eventId, item.reason]));
    expect(reasons.get(both ?? "")).toContain("exactly one of memberState or organisation");
    expect(reasons.get(unknown ?? "")).toContain(
      '"US" is not a member state of the Khartoum Process',
    );
  });

  it("keeps an event of a detail-type outside the contract as rejected", async () => {
    const [eventId] = await stack.put({
      detailType: "Meeting scheduled",
      detail: { meetingId: "x" },
    });

    const rejected = (await rejections.list()).find((item) => item.eventId === eventId);
    expect(rejected?.reason).toMatch(/"Meeting scheduled" is not a detail-type of the contract/);
  });

  it("changes a contact when the same id is upserted again", async () => {
    await stack.put({
      detailType: "Contact Upserted",
      detail: { ...erika, language: "fr", reminders: false },
    });

    expect(await contacts.get(erika.contactId)).toMatchObject({ language: "fr", reminders: false });
  });

  it("erases a removed contact's name and email from the contact and from its rejected events", async () => {
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "it-focal-point-1",
        name: "Giulia Rossi",
        email: "giulia.rossi@example.it",
        memberState: "IT",
        roles: ["nobody"],
      },
    });
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "it-focal-point-1",
        name: "Giulia Rossi",
        email: "giulia.rossi@example.it",
        memberState: "IT",
      },
    });
    expect(await contacts.get("it-focal-point-1")).toBeDefined();

    await stack.put({ detailType: "Contact Removed", detail: { contactId: "it-focal-point-1" } });

    expect(await contacts.get("it-focal-point-1")).toBeUndefined();
    const everything = JSON.stringify(await stack.scanEverything());
    expect(everything).not.toContain("Giulia");
    expect(everything).not.toContain("giulia.rossi@example.it");
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: stack.tableName, Key: keys.contact("it-focal-point-1") }),
    );
    expect(Item).toMatchObject({ contactId: "it-focal-point-1", removedAt: expect.any(String) });
  });

  it("removing the same contact twice is harmless; removing an unknown id is listed as rejected, with what was kept", async () => {
    const before = (await rejections.list()).length;
    await stack.put({ detailType: "Contact Removed", detail: { contactId: "it-focal-point-1" } });
    const [unknownId] = await stack.put({
      detailType: "Contact Removed",
      detail: { contactId: "nobody-here" },
    });

    const after = await rejections.list();
    expect(after).toHaveLength(before + 1);
    expect(after.find((item) => item.eventId === unknownId)?.reason).toMatch(
      /^There is no contact nobody-here yet: it is kept as removed/,
    );
  });

  it("does not bring a removed contact back when an older upsert arrives late", async () => {
    const olderEvent = {
      EventBusName: "khartoum-process",
      Source: "kp.secretariat",
      DetailType: "Contact Upserted",
      Time: new Date(Date.now() - 3_600_000),
      Detail: JSON.stringify({
        contactId: "it-focal-point-1",
        name: "Giulia Rossi",
        email: "giulia.rossi@example.it",
        memberState: "IT",
      }),
    };
    const { PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
    const response = await stack.eventBridge.send(new PutEventsCommand({ Entries: [olderEvent] }));
    await stack.runtime.idle();

    expect(await contacts.get("it-focal-point-1")).toBeUndefined();
    const rejected = (await rejections.list()).find(
      (item) => item.eventId === response.Entries?.[0]?.EventId,
    );
    expect(rejected?.reason).toMatch(/was removed at .* after this event was sent/);
    expect(JSON.stringify(await stack.scanEverything())).not.toContain("giulia.rossi@example.it");
  });

  it("keeps state across a restart of the runtime", async () => {
    const dataDir = stack.dataDir;
    await stack.runtime.stop();
    const restarted = await startLocalStack({ dataDir });
    try {
      const again = new DynamoContactRepository(restarted.documents, restarted.tableName);
      expect(await again.get(erika.contactId)).toMatchObject({ email: erika.email });
    } finally {
      await restarted.stop();
      stack = await startLocalStack({ dataDir });
    }
  });
});
