import { describe, expect, it } from "vitest";
import type { ContactUpsertedDetail } from "../../shared/contract/index.js";
import {
  type Contact,
  type ContactRepository,
  type EraseOutcome,
  removeContact,
  type SaveOutcome,
  upsertContact,
} from "../../shared/domain/contacts.js";
import { erasePersonalData, erasePersonalDataFromText } from "../../shared/domain/personal-data.js";
import {
  EventRejected,
  MAX_EVENT_TEXT_BYTES,
  type RejectedEvent,
  type RejectionRepository,
} from "../../shared/domain/rejections.js";
import { ERIKA_DETAIL } from "../support/examples.js";

interface Tombstone {
  contactId: string;
  removedAt: string;
}

/** Newer wins, as the DynamoDB adapter's condition says; a removal leaves a tombstone. */
class InMemoryContacts implements ContactRepository {
  readonly items = new Map<string, Contact | Tombstone>();

  async save(contact: Contact): Promise<SaveOutcome> {
    const stored = this.items.get(contact.contactId);
    if (stored !== undefined) {
      const storedAt = "removedAt" in stored ? stored.removedAt : stored.updatedAt;
      // A tie goes to the erasure, as the DynamoDB adapter's condition says.
      const refused =
        "removedAt" in stored ? storedAt >= contact.updatedAt : storedAt > contact.updatedAt;
      if (refused) {
        return { saved: false, removed: "removedAt" in stored, laterChangeAt: storedAt };
      }
    }
    this.items.set(contact.contactId, contact);
    return { saved: true };
  }

  async erase(contactId: string, removedAt: string): Promise<EraseOutcome> {
    const stored = this.items.get(contactId);
    if (stored === undefined) {
      this.items.set(contactId, { contactId, removedAt });
      return { status: "unknown" };
    }
    if ("removedAt" in stored) {
      if (stored.removedAt < removedAt) this.items.set(contactId, { contactId, removedAt });
      return { status: "already-removed" };
    }
    if (stored.updatedAt > removedAt) {
      return { status: "changed-later", laterChangeAt: stored.updatedAt };
    }
    this.items.set(contactId, { contactId, removedAt });
    return { status: "erased" };
  }

  async get(contactId: string): Promise<Contact | undefined> {
    const stored = this.items.get(contactId);
    return stored === undefined || "removedAt" in stored ? undefined : stored;
  }

  async list(): Promise<Contact[]> {
    return [...this.items.values()].filter((item): item is Contact => !("removedAt" in item));
  }
}

class InMemoryRejections implements RejectionRepository {
  readonly recorded: RejectedEvent[] = [];

  async record(rejected: RejectedEvent): Promise<void> {
    this.recorded.push(rejected);
  }

  async list(options: { limit?: number } = {}): Promise<RejectedEvent[]> {
    return this.recorded.slice(0, options.limit);
  }

  async eraseContact(contactId: string): Promise<number> {
    let erased = 0;
    for (const rejected of this.recorded) {
      if (rejected.contactId !== contactId) continue;
      rejected.event = erasePersonalDataFromText(rejected.event, MAX_EVENT_TEXT_BYTES);
      erased += 1;
    }
    return erased;
  }
}

const erika: ContactUpsertedDetail = ERIKA_DETAIL;

function rejectedUpsertOf(detail: ContactUpsertedDetail): RejectedEvent {
  return {
    eventId: "0d6f4a52-5b2e-4f3f-9c55-1f1f3b7f2a10",
    eventTime: "2023-03-10T08:00:00Z",
    rejectedAt: "2023-03-10T08:00:01Z",
    source: "kp.secretariat",
    detailType: "Contact Upserted",
    reason: "detail.email: must be an email address",
    event: JSON.stringify({
      id: "0d6f4a52-5b2e-4f3f-9c55-1f1f3b7f2a10",
      "detail-type": "Contact Upserted",
      detail,
    }),
    contactId: detail.contactId,
  };
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<EventRejected> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventRejected);
    return error as EventRejected;
  }
  throw new Error("expected the event to be rejected");
}

describe("upsertContact", () => {
  it("saves the contact with updatedAt set to the event's time", async () => {
    // Prepare
    const contacts = new InMemoryContacts();

    // Act
    const saved = await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });

    // Assess
    expect(saved).toEqual({ ...erika, updatedAt: "2023-03-01T10:00:00Z" });
    expect(await contacts.get(erika.contactId)).toEqual(saved);
  });

  it("applies a later change over an earlier one", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });

    // Act
    await upsertContact(
      { ...erika, email: "erika@example.de" },
      { contacts, eventTime: "2023-03-02T10:00:00Z" },
    );

    // Assess
    expect((await contacts.get(erika.contactId))?.email).toBe("erika@example.de");
  });

  it.each([
    { change: "the same address", email: ERIKA_DETAIL.email, reminders: false },
    { change: "another address", email: "erika.new@example.de", reminders: true },
  ])(
    "keeps the member's own stop of their reminders over an upsert with $change only",
    async ({ email, reminders }) => {
      // Prepare
      const contacts = new InMemoryContacts();
      await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });
      const stored = (await contacts.get(erika.contactId)) as Contact;
      contacts.items.set(erika.contactId, {
        ...stored,
        reminders: false,
        remindersStoppedAt: "2023-03-05T08:00:00.000Z",
      });

      // Act
      const saved = await upsertContact(
        { ...erika, email, reminders: true },
        { contacts, eventTime: "2023-03-06T10:00:00Z" },
      );

      // Assess
      expect(saved.reminders).toBe(reminders);
      expect(saved.remindersStoppedAt).toBe(reminders ? undefined : "2023-03-05T08:00:00.000Z");
    },
  );

  it("applies the same event again without complaint (EventBridge may deliver twice)", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const context = { contacts, eventTime: "2023-03-01T10:00:00Z" };
    await upsertContact(erika, context);

    // Act
    const again = await upsertContact(erika, context);

    // Assess
    expect(again.updatedAt).toBe("2023-03-01T10:00:00Z");
  });

  it("rejects a change sent before the contact's removal, erasing its personal data", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });
    await removeContact(
      { contactId: erika.contactId },
      { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" },
    );

    // Act
    const rejected = await rejectionOf(
      upsertContact(erika, { contacts, eventTime: "2023-03-15T10:00:00Z" }),
    );

    // Assess
    expect(rejected.erasePersonalData).toBe(true);
    expect(rejected.message).toBe(
      "Contact de-focal-point-1 was removed at 2023-03-20T10:00:00Z, after this event was sent at 2023-03-15T10:00:00Z; put it again to add the contact back.",
    );
    expect(await contacts.get(erika.contactId)).toBeUndefined();
  });

  it("rejects a change older than the stored one and keeps the stored one", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    await upsertContact(
      { ...erika, email: "erika@example.de" },
      { contacts, eventTime: "2023-03-02T10:00:00Z" },
    );

    // Act
    const rejected = await rejectionOf(
      upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" }),
    );

    // Assess
    expect(rejected.erasePersonalData).toBe(false);
    expect(rejected.message).toBe(
      "Contact de-focal-point-1 was changed by a later event (at 2023-03-02T10:00:00Z); this older change was not applied.",
    );
    expect((await contacts.get(erika.contactId))?.email).toBe("erika@example.de");
  });

  it("reports the repository's outcome as it is, whatever the repository", async () => {
    // Prepare
    const outcome: SaveOutcome = {
      saved: false,
      removed: true,
      laterChangeAt: "2023-04-01T00:00:00Z",
    };
    const contacts: ContactRepository = {
      save: async () => outcome,
      erase: async () => ({ status: "unknown" }),
      get: async () => undefined,
      list: async () => [],
    };

    // Act
    const rejected = await rejectionOf(
      upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" }),
    );

    // Assess
    expect(rejected.name).toBe("EventRejected");
    expect(rejected.message).toContain("was removed at 2023-04-01T00:00:00Z");
  });
});

describe("removeContact", () => {
  it("erases a stored contact", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });

    // Act
    await removeContact(
      { contactId: erika.contactId },
      { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" },
    );

    // Assess
    expect(await contacts.get(erika.contactId)).toBeUndefined();
    expect(contacts.items.get(erika.contactId)).toEqual({
      contactId: erika.contactId,
      removedAt: "2023-03-20T10:00:00Z",
    });
  });

  it("accepts removing a contact that is already removed", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    const context = { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" };
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });
    await removeContact({ contactId: erika.contactId }, context);

    // Act
    const again = removeContact({ contactId: erika.contactId }, context);

    // Assess
    await expect(again).resolves.toBeUndefined();
  });

  it("rejects removing a contact that was never stored nor named in a rejected event", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();

    // Act
    const rejected = await rejectionOf(
      removeContact(
        { contactId: "de-focal-pont-1" },
        { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" },
      ),
    );

    // Assess
    expect(rejected.message).toBe(
      "There is no contact de-focal-pont-1 yet: it is kept as removed, so that a Contact Upserted for it sent at or before 2023-03-20T10:00:00Z is refused (one put later adds the contact). Check the contactId.",
    );
    expect(rejected.erasePersonalData).toBe(false);
    expect(contacts.items.get("de-focal-pont-1")).toEqual({
      contactId: "de-focal-pont-1",
      removedAt: "2023-03-20T10:00:00Z",
    });
  });

  it("accepts removing a contact known only from rejected events, and erases them", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    await rejections.record(rejectedUpsertOf({ ...erika, email: "erika-at-example.de" }));

    // Act
    await removeContact(
      { contactId: erika.contactId },
      { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" },
    );

    // Assess
    const event = JSON.parse(rejections.recorded[0]?.event ?? "") as {
      detail: Record<string, unknown>;
    };
    expect(event.detail).not.toHaveProperty("name");
    expect(event.detail).not.toHaveProperty("email");
    expect(event.detail.erased).toEqual(["name", "email"]);
  });

  it("erases the rejected events about the contact along with the contact", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });
    await rejections.record(rejectedUpsertOf(erika));
    await rejections.record(rejectedUpsertOf({ ...erika, contactId: "ke-focal-point-1" }));

    // Act
    await removeContact(
      { contactId: erika.contactId },
      { contacts, rejections, eventTime: "2023-03-20T10:00:00Z" },
    );

    // Assess
    const [aboutErika, aboutAnother] = rejections.recorded.map(
      (rejected) => (JSON.parse(rejected.event) as { detail: Record<string, unknown> }).detail,
    );
    expect(aboutErika).not.toHaveProperty("email");
    expect(aboutAnother).toHaveProperty("email", erika.email);
  });
});

describe("a removal delivered before the upsert it follows", () => {
  it("refuses the late, older upsert and keeps none of its personal data", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const rejections = new InMemoryRejections();
    await rejectionOf(
      removeContact(
        { contactId: erika.contactId },
        { contacts, rejections, eventTime: "2023-03-20T10:00:05Z" },
      ),
    );

    // Act
    const rejected = await rejectionOf(
      upsertContact(erika, { contacts, eventTime: "2023-03-20T10:00:00Z" }),
    );

    // Assess
    expect(rejected.message).toMatch(/was removed at 2023-03-20T10:00:05Z, after this event/);
    expect(rejected.erasePersonalData).toBe(true);
    expect(contacts.items.get(erika.contactId)).toEqual({
      contactId: erika.contactId,
      removedAt: "2023-03-20T10:00:05Z",
    });
  });

  it("refuses an upsert sent in the same second as the removal (a tie goes to the erasure)", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const context = {
      contacts,
      rejections: new InMemoryRejections(),
      eventTime: "2023-03-20T10:00:00Z",
    };
    await rejectionOf(removeContact({ contactId: erika.contactId }, context));

    // Act
    const upserting = upsertContact(erika, { contacts, eventTime: "2023-03-20T10:00:00Z" });

    // Assess
    await expect(upserting).rejects.toBeInstanceOf(EventRejected);
    expect(await contacts.get(erika.contactId)).toBeUndefined();
  });

  it("accepts an upsert sent after the removal: the id starts afresh", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const context = {
      contacts,
      rejections: new InMemoryRejections(),
      eventTime: "2023-03-20T10:00:00Z",
    };
    await rejectionOf(removeContact({ contactId: erika.contactId }, context));

    // Act
    await upsertContact(erika, { contacts, eventTime: "2023-03-21T10:00:00Z" });

    // Assess
    expect(await contacts.get(erika.contactId)).toMatchObject({
      name: erika.name,
      updatedAt: "2023-03-21T10:00:00Z",
    });
  });

  it("does not erase a contact upserted after the removal when the removal is delivered again", async () => {
    // Prepare
    const contacts = new InMemoryContacts();
    const context = {
      contacts,
      rejections: new InMemoryRejections(),
      eventTime: "2023-03-20T10:00:00Z",
    };
    await upsertContact(erika, { contacts, eventTime: "2023-03-01T10:00:00Z" });
    await removeContact({ contactId: erika.contactId }, context);
    await upsertContact(erika, { contacts, eventTime: "2023-03-21T10:00:00Z" });

    // Act
    const rejected = await rejectionOf(removeContact({ contactId: erika.contactId }, context));

    // Assess
    expect(rejected.message).toBe(
      "Contact de-focal-point-1 was upserted by a later event (at 2023-03-21T10:00:00Z) than this removal (sent at 2023-03-20T10:00:00Z); it was not erased. Put Contact Removed again to remove it.",
    );
    expect(await contacts.get(erika.contactId)).toMatchObject({ name: erika.name });
  });
});

describe("erasePersonalData", () => {
  const event = {
    version: "0",
    id: "0d6f4a52-5b2e-4f3f-9c55-1f1f3b7f2a10",
    "detail-type": "Contact Upserted",
    source: "kp.secretariat",
    account: "123456789012",
    time: "2023-03-10T08:00:00Z",
    region: "eu-central-1",
    resources: [],
    detail: erika,
  };

  it("removes name and email and names them as erased", () => {
    // Act
    const erased = erasePersonalData(event) as { detail: Record<string, unknown> };

    // Assess
    expect(erased.detail).not.toHaveProperty("name");
    expect(erased.detail).not.toHaveProperty("email");
    expect(erased.detail.erased).toEqual(["name", "email"]);
  });

  it("keeps what is not personal data: the id, whom the contact represents, the preferences", () => {
    // Act
    const erased = erasePersonalData(event) as { detail: Record<string, unknown> };

    // Assess
    expect(erased.detail).toEqual({
      contactId: "de-focal-point-1",
      memberState: "DE",
      roles: ["focal-point"],
      language: "en",
      timeZone: "Europe/Berlin",
      reminders: true,
      erased: ["name", "email"],
    });
  });

  it("keeps the envelope as it was", () => {
    // Act
    const erased = erasePersonalData(event) as Record<string, unknown>;

    // Assess
    const { detail: _detail, ...envelope } = event;
    expect(erased).toMatchObject(envelope);
  });

  it("erases any field it does not know to be harmless", () => {
    // Act
    const erased = erasePersonalData({ detail: { contactId: "x-1", phone: "+49 30 1234" } });

    // Assess
    expect(erased).toEqual({ detail: { contactId: "x-1", erased: ["phone"] } });
  });

  it("does not change the event it is given", () => {
    // Act
    erasePersonalData(event);

    // Assess
    expect(event.detail.email).toBe("erika.mustermann@example.de");
  });

  it("returns an event without an object detail unchanged", () => {
    // Act
    const noObject = erasePersonalData("not an event");
    const stringDetail = erasePersonalData({ id: "1", detail: "Erika" });

    // Assess
    expect(noObject).toBe("not an event");
    expect(stringDetail).toEqual({ id: "1", detail: "Erika" });
  });
});
