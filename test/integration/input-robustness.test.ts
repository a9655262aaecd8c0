import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { DEFAULT_EVENT_BUS_NAME, SOURCE } from "../../shared/contract/index.js";
import { MAX_REASON_LENGTH } from "../../shared/domain/rejections.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

/** A PutEvents entry whose Detail is given as raw JSON text (no JSON.stringify can make these). */
function entry(detailType: string, detail: string, time?: Date): PutEventsRequestEntry {
  return {
    EventBusName: DEFAULT_EVENT_BUS_NAME,
    Source: SOURCE,
    DetailType: detailType,
    Detail: detail,
    ...(time === undefined ? {} : { Time: time }),
  };
}

const nested5000Deep = `{"contactId":"de-deep-1","nested":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
const array30000Long = `{"meetingId":"som-huge-1","countries":[${Array(30_000).fill('"DE"').join(",")}]}`;
const beyondDouble = '{"country":"KE","takesOfficeOn":1e400}';

describe("any JSON through the local runtime ends as a rejected event, never a dead letter", () => {
  let stack: LocalStack;
  let rejections: DynamoRejectionRepository;
  let contacts: DynamoContactRepository;

  beforeAll(async () => {
    stack = await startLocalStack();
    rejections = new DynamoRejectionRepository(stack.documents, stack.tableName);
    contacts = new DynamoContactRepository(stack.documents, stack.tableName);
  });
  afterAll(() => stack.stop());

  it("rejects details 5,000 levels deep, 30,000 elements long or beyond a double, with their reasons", async () => {
    // Prepare
    const entries = [
      entry("Contact Upserted", nested5000Deep),
      entry("Meeting Scheduled", nested5000Deep),
      entry("Chair Handover", nested5000Deep),
      entry("Meeting Cancelled", array30000Long),
      entry("Contact Upserted", array30000Long),
      entry("Chair Designated", beyondDouble),
      entry("Meeting Rescheduled", `{"meetingId":"som-9-berlin-2023","startsAt":-1e999}`),
    ];

    // Act: one entry per request, since PutEvents takes 256 KB per request
    const ids: string[] = [];
    for (const each of entries) {
      const response = await stack.putEntries([each]);
      expect(response.FailedEntryCount).toBe(0);
      ids.push(response.Entries?.[0]?.EventId ?? "");
    }

    // Assess
    const reasons = new Map((await rejections.list()).map((item) => [item.eventId, item]));
    const reasonOf = (index: number) => reasons.get(ids[index] ?? "")?.reason;
    for (const index of [0, 1, 2]) {
      expect(reasonOf(index)).toMatch(/^detail is nested more than 32 levels deep/);
    }
    for (const index of [3, 4]) {
      expect(reasonOf(index)).toMatch(/^detail holds more than 10000 values/);
    }
    expect(reasonOf(5)).toMatch(/^detail\.takesOfficeOn: is a number no double holds/);
    expect(reasonOf(6)).toMatch(/^detail\.startsAt: is a number no double holds/);
    for (const [index] of entries.entries()) {
      expect(reasonOf(index)?.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    }
    // The original is kept whole, as text, 5,000 levels and all.
    expect(reasons.get(ids[0] ?? "")?.event).toContain('{"a":'.repeat(5000));
    expect(reasons.get(ids[0] ?? "")?.contactId).toBe("de-deep-1");
    expect(await stack.runtime.deadLetters.list()).toEqual([]);
  });

  it("keeps working afterwards: a valid Contact Upserted is stored", async () => {
    // Act
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "ke-after-1",
        name: "Amina Otieno",
        email: "amina.otieno@example.ke",
        memberState: "KE",
      },
    });

    // Assess
    expect(await contacts.get("ke-after-1")).toMatchObject({ name: "Amina Otieno" });
  });

  it("erases name and email from a deep rejected event when its contact is removed", async () => {
    // Prepare
    const deepWithName = `{"contactId":"de-deep-2","name":"Hans Tief","email":"hans@example.de","x":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    await stack.putEntries([entry("Contact Upserted", deepWithName)]);

    // Act
    await stack.put({ detailType: "Contact Removed", detail: { contactId: "de-deep-2" } });

    // Assess
    const everything = JSON.stringify(await stack.scanEverything());
    expect(everything).not.toContain("Hans Tief");
    expect(everything).not.toContain("hans@example.de");
    const erased = (await rejections.list()).find((item) => item.contactId === "de-deep-2");
    expect(JSON.parse(erased?.event ?? "").detail.erased).toEqual(["name", "email", "x"]);
  });

  it("rejects an event stamped a day ahead of the clock, and takes events the moved clock stamps", async () => {
    // Prepare
    const aDayAhead = new Date(stack.runtime.clock.now().getTime() + 86_430_000);
    const contact = {
      contactId: "fr-future-1",
      name: "Jeanne Avenir",
      email: "jeanne.avenir@example.fr",
      memberState: "FR",
    };

    // Act
    const response = await stack.putEntries([
      entry("Contact Upserted", JSON.stringify(contact), aDayAhead),
    ]);
    const rejectedBeforeAdvance = (await rejections.list()).find(
      (item) => item.eventId === response.Entries?.[0]?.EventId,
    );
    await stack.advanceClock("P3D");
    await stack.put({
      detailType: "Contact Upserted",
      detail: { ...contact, contactId: "fr-later-1" },
    });

    // Assess
    expect(rejectedBeforeAdvance?.reason).toMatch(
      /^event time \S+ is ahead of the system clock \(\S+\) by 1 day; was the clock of the sender wrong\?/,
    );
    expect(await contacts.get("fr-future-1")).toBeUndefined();
    expect(await contacts.get("fr-later-1")).toMatchObject({ name: "Jeanne Avenir" });
    expect(await stack.runtime.deadLetters.list()).toEqual([]);
  });
});
