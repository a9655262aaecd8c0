import { describe, expect, it } from "vitest";
import type { AudienceDirectory, AudienceQuery } from "../../shared/domain/audience.js";
import {
  type ChairContext,
  type ChairRepository,
  type ChairState,
  designateChair,
  FACT_SHEET_CHAIR,
  handOverChair,
} from "../../shared/domain/chair.js";
import type { Contact } from "../../shared/domain/contacts.js";
import type {
  NoticeDefinition,
  NoticeRepository,
  NoticesDue,
} from "../../shared/domain/notices.js";
import { EventRejected } from "../../shared/domain/rejections.js";

class InMemoryChair implements ChairRepository {
  state: ChairState | undefined;
  /** Runs before a save is checked: a way to let another handover win the race. */
  beforeSave: (() => void) | undefined;

  async get() {
    return this.state === undefined ? undefined : structuredClone(this.state);
  }

  async save(state: ChairState, expectedVersion: number) {
    this.beforeSave?.();
    this.beforeSave = undefined;
    if ((this.state?.version ?? 0) !== expectedVersion) return false;
    this.state = structuredClone(state);
    return true;
  }
}

const contact = (contactId: string, fields: Partial<Contact>): Contact => ({
  contactId,
  name: contactId,
  email: `${contactId}@example.org`,
  roles: [],
  language: "en",
  timeZone: "Europe/Berlin",
  reminders: true,
  updatedAt: "2024-01-01T00:00:00Z",
  ...fields,
});
const memberContact = contact("ke-focal-point-1", { memberState: "KE" });
const partnerContact = contact("iom-observer-1", { organisation: "IOM" });

function chairContext(now = "2024-03-01T10:00:00Z") {
  const chair = new InMemoryChair();
  const definitions: NoticeDefinition[] = [];
  const published: NoticesDue[] = [];
  const queries: AudienceQuery[] = [];
  const directory: AudienceDirectory = {
    async listAudience(query) {
      queries.push(query);
      return query.groups.includes("partner") ? [memberContact, partnerContact] : [memberContact];
    },
  };
  const notices = {
    async define(definition: NoticeDefinition) {
      definitions.push(definition);
      return definition;
    },
  } as unknown as NoticeRepository;
  const context: ChairContext = {
    chair,
    meetings: {
      get: async (meetingId) =>
        meetingId === "som-10" ? ({ title: "10th SOM" } as never) : undefined,
    },
    directory,
    notices,
    publisher: { publish: async (batches) => void published.push(...batches) },
    chunkSize: 100,
    now: new Date(now),
  };
  return { context, chair, definitions, published, queries };
}

async function rejectionOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventRejected);
    return (error as Error).message;
  }
  throw new Error("expected a rejection");
}

describe("handOverChair", () => {
  it("treats the fact sheet's handover as recorded: nothing stored, nothing sent", async () => {
    // Prepare
    const { context, chair, published } = chairContext();

    // Act
    await handOverChair(
      { from: "SS", to: "DE", effectiveOn: "2023-03-16", meetingId: "som-9-berlin-2023" },
      context,
    );

    // Assess
    expect(chair.state).toBeUndefined();
    expect(published).toEqual([]);
  });

  it("moves the Chair, clears the upcoming one and notifies everyone, with the meeting's title", async () => {
    // Prepare
    const { context, chair, definitions, published } = chairContext();

    // Act
    await handOverChair(
      { from: "DE", to: "KE", effectiveOn: "2024-03-01", meetingId: "som-10" },
      context,
    );

    // Assess
    expect(chair.state).toMatchObject({
      current: "KE",
      since: "2024-03-01",
      upcoming: "TBC",
      version: 1,
    });
    expect(chair.state?.history).toHaveLength(2);
    expect(definitions[0]).toMatchObject({
      noticeId: "handover-2024-03-01-DE-KE",
      kind: "chair-handover",
      chair: { from: "DE", to: "KE", effectiveOn: "2024-03-01", meetingTitle: "10th SOM" },
      audience: "all",
    });
    expect(published[0]?.contactIds).toEqual([memberContact.contactId, partnerContact.contactId]);
  });

  it("rejects a handover from a country that is not the Chair", async () => {
    // Prepare
    const { context, chair } = chairContext();

    // Act
    const reason = await rejectionOf(
      handOverChair({ from: "SS", to: "KE", effectiveOn: "2024-03-01" }, context),
    );

    // Assess
    expect(reason).toBe(
      "SS is not the current Chair: DE is, since 2023-03-16. Nothing was changed.",
    );
    expect(chair.state).toBeUndefined();
  });

  it("rejects a handover dated before the current Chair took office", async () => {
    // Prepare
    const { context } = chairContext();

    // Act
    const reason = await rejectionOf(
      handOverChair({ from: "DE", to: "KE", effectiveOn: "2023-01-01" }, context),
    );

    // Assess
    expect(reason).toBe(
      "The handover on 2023-01-01 predates DE's Chairmanship (since 2023-03-16).",
    );
  });

  it("rejects the loser of two racing handovers from the same Chair", async () => {
    // Prepare
    const { context, chair, published } = chairContext();
    chair.beforeSave = () => {
      chair.state = { ...FACT_SHEET_CHAIR, current: "FR", since: "2024-03-01", version: 1 };
    };

    // Act
    const reason = await rejectionOf(
      handOverChair({ from: "DE", to: "KE", effectiveOn: "2024-03-01" }, context),
    );

    // Assess
    expect(reason).toBe(
      "DE is not the current Chair: FR is, since 2024-03-01. Nothing was changed.",
    );
    expect(chair.state?.current).toBe("FR");
    expect(published).toEqual([]);
  });
});

describe("designateChair", () => {
  it("rejects designating the current Chair", async () => {
    // Prepare
    const { context } = chairContext();

    // Act
    const reason = await rejectionOf(designateChair({ country: "DE" }, context));

    // Assess
    expect(reason).toMatch(/^DE is the current Chair \(since 2023-03-16\)/);
  });

  it("records the designation and tells the Steering Committee, not the partners", async () => {
    // Prepare
    const { context, chair, published, queries, definitions } = chairContext();

    // Act
    await designateChair({ country: "KE", takesOfficeOn: "2024-03-01" }, context);

    // Assess
    expect(chair.state?.upcoming).toEqual({
      country: "KE",
      takesOfficeOn: "2024-03-01",
      noticeId: "designation-KE-v1",
    });
    expect(queries).toEqual([{ groups: ["member-state", "secretariat"] }]);
    expect(published[0]?.contactIds).toEqual([memberContact.contactId]);
    expect(definitions[0]?.audience).toBe("steering-committee");
  });

  it("keeps the same notice for the same designation put again, and raises no version", async () => {
    // Prepare
    const { context, chair, definitions } = chairContext();
    await designateChair({ country: "KE" }, context);

    // Act
    await designateChair({ country: "KE" }, context);

    // Assess
    expect(chair.state?.version).toBe(1);
    expect(definitions.map((definition) => definition.noticeId)).toEqual([
      "designation-KE-v1",
      "designation-KE-v1",
    ]);
  });
});

describe("late Chair events", () => {
  it("rejects a late redelivery of an older designation instead of sending it again", async () => {
    // Prepare
    const { context, chair, definitions } = chairContext("2024-01-10T10:00:00Z");
    await designateChair({ country: "KE" }, context);
    await designateChair({ country: "SS" }, { ...context, now: new Date("2024-01-12T10:00:00Z") });

    // Act
    const reason = await rejectionOf(designateChair({ country: "KE" }, context));

    // Assess
    expect(reason).toBe(
      "The Chair was changed by a later event (at 2024-01-12T10:00:00.000Z); this older designation was not applied.",
    );
    expect(chair.state?.upcoming).toMatchObject({ country: "SS" });
    expect(definitions.map((definition) => definition.noticeId)).toEqual([
      "designation-KE-v1",
      "designation-SS-v2",
    ]);
  });
});

describe("Chair dates ahead of the event", () => {
  it("rejects a designation whose takesOfficeOn is more than five years ahead, naming the date", async () => {
    // Prepare
    const { context, chair, published } = chairContext("2026-11-01T10:00:00Z");

    // Act
    const reason = await rejectionOf(
      designateChair({ country: "KE", takesOfficeOn: "2207-03-01" }, context),
    );

    // Assess
    expect(reason).toBe(
      "takesOfficeOn 2207-03-01 is more than 5 years after this event was sent (2026-11-01T10:00:00.000Z); check the year.",
    );
    expect(chair.state).toBeUndefined();
    expect(published).toEqual([]);
  });

  it("rejects a handover that takes effect after the event, so it cannot make the Chair change ahead of time", async () => {
    // Prepare
    const { context, chair, published } = chairContext("2026-11-01T10:00:00Z");

    // Act
    const reason = await rejectionOf(
      handOverChair({ from: "DE", to: "KE", effectiveOn: "2207-03-01" }, context),
    );

    // Assess
    expect(reason).toBe(
      "The handover from DE to KE takes effect on 2207-03-01, after this event was sent (2026-11-01T10:00:00.000Z); put Chair Handover when it takes effect, and announce it now with Chair Designated (takesOfficeOn 2207-03-01).",
    );
    expect(chair.state).toBeUndefined();
    expect(published).toEqual([]);
  });

  it("leaves the Chair open to the corrected handover after a mistyped date was refused", async () => {
    // Prepare
    const { context, chair } = chairContext("2027-03-01T10:00:00Z");
    await rejectionOf(handOverChair({ from: "DE", to: "KE", effectiveOn: "2027-04-01" }, context));

    // Act
    await handOverChair({ from: "DE", to: "KE", effectiveOn: "2027-03-01" }, context);

    // Assess
    expect(chair.state).toMatchObject({ current: "KE", since: "2027-03-01" });
  });

  it("accepts a handover dated the day after the event in UTC (the venue may already be there)", async () => {
    // Prepare
    const { context, chair } = chairContext("2027-02-28T22:30:00Z");

    // Act
    await handOverChair({ from: "DE", to: "KE", effectiveOn: "2027-03-01" }, context);

    // Assess
    expect(chair.state?.current).toBe("KE");
  });
});
