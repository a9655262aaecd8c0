import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const HANDOVER_2023 = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, "..", "fixtures", "examples", "06-chair-handover-2023.json"),
    "utf8",
  ),
) as PutEventsRequestEntry[];

const CONTACTS = [
  {
    contactId: "de-focal-point-1",
    name: "Erika Mustermann",
    email: "erika@example.de",
    memberState: "DE",
  },
  {
    contactId: "ke-focal-point-1",
    name: "Amina Otieno",
    email: "amina@example.ke",
    memberState: "KE",
  },
  {
    contactId: "fr-focal-point-1",
    name: "Claire Dubois",
    email: "claire@example.fr",
    memberState: "FR",
    language: "fr",
  },
  {
    contactId: "auc-staff-1",
    name: "Abebe Bekele",
    email: "abebe@example.org",
    organisation: "AUC",
  },
  {
    contactId: "unhcr-observer-1",
    name: "Sara Conti",
    email: "sara@example.org",
    organisation: "UNHCR",
  },
];
const EVERYONE = CONTACTS.map((contact) => contact.email).sort();

interface ChairJson {
  current: string;
  since: string;
  upcoming: "TBC" | { country: string; takesOfficeOn?: string };
  history: { from: string; to: string; effectiveOn: string; meetingId?: string }[];
}

describe("the Chairmanship through the local runtime", () => {
  let stack: LocalStack;
  let rejections: DynamoRejectionRepository;
  const emails = async () => storedEmails(stack.runtime.description.sesEndpoint);

  async function chair(): Promise<ChairJson> {
    const out: string[] = [];
    await runKp(["chair", "--json", "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    return JSON.parse(out.join("")) as ChairJson;
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    rejections = new DynamoRejectionRepository(stack.documents, stack.tableName);
    await stack.put(...CONTACTS.map((detail) => ({ detailType: "Contact Upserted", detail })));
  });
  afterAll(() => stack.stop());

  it("starts from the fact sheet: Germany since the handover from South Sudan, upcoming TBC", async () => {
    expect(await chair()).toMatchObject({
      current: "DE",
      since: "2023-03-16",
      upcoming: "TBC",
      history: [
        { from: "SS", to: "DE", effectiveOn: "2023-03-16", meetingId: "som-9-berlin-2023" },
      ],
    });
  });

  it("takes the fact sheet's handover again as already recorded: no change, no email, no rejection", async () => {
    const rejectedBefore = (await rejections.list()).length;

    await stack.putEntries(HANDOVER_2023);

    expect((await chair()).history).toHaveLength(1);
    expect(await emails()).toEqual([]);
    expect(await rejections.list()).toHaveLength(rejectedBefore);
  });

  it("rejects a handover from a country that is not the Chair, changing nothing and sending nothing", async () => {
    const [eventId] = await stack.put({
      detailType: "Chair Handover",
      detail: { from: "SS", to: "KE", effectiveOn: "2024-03-01" },
    });

    expect((await chair()).current).toBe("DE");
    expect(await emails()).toEqual([]);
    expect((await rejections.list()).find((item) => item.eventId === eventId)?.reason).toBe(
      "SS is not the current Chair: DE is, since 2023-03-16. Nothing was changed.",
    );
  });

  it("rejects designating the current Chair", async () => {
    const [eventId] = await stack.put({
      detailType: "Chair Designated",
      detail: { country: "DE" },
    });

    expect((await rejections.list()).find((item) => item.eventId === eventId)?.reason).toMatch(
      /^DE is the current Chair/,
    );
    expect((await chair()).upcoming).toBe("TBC");
  });

  it("records a designation and tells the Steering Committee (member states and secretariat), once", async () => {
    await stack.put({
      detailType: "Chair Designated",
      detail: { country: "KE", takesOfficeOn: "2024-03-01" },
    });
    await stack.put({
      detailType: "Chair Designated",
      detail: { country: "KE", takesOfficeOn: "2024-03-01" },
    });

    const designation = (await emails()).filter((email) =>
      /designated|prochaine présidence/.test(email.subject),
    );
    expect((await chair()).upcoming).toMatchObject({ country: "KE", takesOfficeOn: "2024-03-01" });
    expect(designation.map(recipientOf).sort()).toEqual(
      EVERYONE.filter((email) => email !== "sara@example.org"),
    );
    expect(designation.find((email) => recipientOf(email) === "erika@example.de")?.subject).toBe(
      "Khartoum Process: Kenya designated as the next Chair",
    );
  });

  it("moves the Chair on a handover and notifies every contact once, naming both countries", async () => {
    await stack.put({
      detailType: "Chair Handover",
      detail: { from: "DE", to: "KE", effectiveOn: "2024-03-01" },
    });
    await stack.put({
      detailType: "Chair Handover",
      detail: { from: "DE", to: "KE", effectiveOn: "2024-03-01" },
    });

    const state = await chair();
    expect(state).toMatchObject({ current: "KE", since: "2024-03-01", upcoming: "TBC" });
    expect(state.history.at(-1)).toEqual({
      from: "DE",
      to: "KE",
      effectiveOn: "2024-03-01",
      noticeId: "handover-2024-03-01-DE-KE",
    });
    const handover = (await emails()).filter((email) =>
      /hands over|la présidence passe/.test(email.subject),
    );
    expect(handover.map(recipientOf).sort()).toEqual(EVERYONE);
    expect(handover.find((email) => recipientOf(email) === "claire@example.fr")?.subject).toBe(
      "Processus de Khartoum : la présidence passe de l'Allemagne au Kenya",
    );
  });

  it("lists a contact's Chair notices in kp contacts show, found by key (no index lists them)", async () => {
    const out: string[] = [];
    await runKp(["contacts", "show", "de-focal-point-1", "--json", "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    const { notices } = JSON.parse(out.join("")) as {
      notices: { subjectKey: string; noticeId: string; status: string }[];
    };

    expect(notices.map((notice) => `${notice.subjectKey} ${notice.noticeId}`)).toEqual([
      expect.stringMatching(/^CHAIR designation-/),
      "CHAIR handover-2024-03-01-DE-KE",
    ]);
    expect(notices.every((notice) => notice.status === "sent")).toBe(true);
  });

  it("lets exactly one of two racing handovers from the same Chair win; the other is rejected", async () => {
    const [first, second] = await stack.put(
      { detailType: "Chair Handover", detail: { from: "KE", to: "FR", effectiveOn: "2025-03-01" } },
      { detailType: "Chair Handover", detail: { from: "KE", to: "IT", effectiveOn: "2025-03-01" } },
    );

    const state = await chair();
    const reasons = new Map((await rejections.list()).map((item) => [item.eventId, item.reason]));
    const winner = state.current;
    expect(["FR", "IT"]).toContain(winner);
    expect(state.history.filter((handover) => handover.from === "KE")).toHaveLength(1);
    const loser = winner === "FR" ? second : first;
    expect(reasons.get(loser ?? "")).toMatch(
      /^KE is not the current Chair: (FR|IT) is, since 2025-03-01/,
    );
    const announcements = (await emails()).filter((email) =>
      /Kenya hands over|passe du Kenya/.test(email.subject),
    );
    expect(announcements).toHaveLength(EVERYONE.length);
  });
});
