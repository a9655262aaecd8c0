import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { ContactUpserted, type ContactUpsertedDetail } from "../../shared/contract/index.js";
import {
  EventRejected,
  type RejectedEvent,
  type RejectionRepository,
} from "../../shared/domain/rejections.js";
import { createMetrics, EVENTS_REJECTED_METRIC } from "../../shared/platform/metrics.js";
import {
  type EventBridgeEnvelope,
  UnroutableEvent,
  workflowHandler,
} from "../../shared/platform/workflow-handler.js";

class InMemoryRejections implements RejectionRepository {
  readonly recorded: RejectedEvent[] = [];

  async record(rejected: RejectedEvent): Promise<void> {
    this.recorded.push(rejected);
  }

  async list(): Promise<RejectedEvent[]> {
    return [...this.recorded];
  }

  async eraseContact(): Promise<number> {
    return 0;
  }
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: "contact-upserted",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:contact-upserted",
  memoryLimitInMB: "256",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  logGroupName: "/aws/lambda/contact-upserted",
  logStreamName: "2023/03/16/[$LATEST]6a7e8feb",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const NOW = new Date("2023-03-16T09:00:05.000Z");

function contactUpsertedEvent(detail: Record<string, unknown>) {
  return {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Contact Upserted",
    source: "kp.secretariat",
    account: "123456789012",
    time: "2023-03-16T09:00:00Z",
    region: "eu-central-1",
    resources: [],
    detail,
  };
}

const erika = {
  contactId: "de-focal-point-1",
  name: "Erika Mustermann",
  email: "erika.mustermann@example.de",
  memberState: "DE",
};

function prepare(
  run: (
    detail: ContactUpsertedDetail,
    envelope: EventBridgeEnvelope,
  ) => Promise<unknown> = async () => undefined,
) {
  const rejections = new InMemoryRejections();
  const runSpy = vi.fn(run);
  const handler = workflowHandler(ContactUpserted, runSpy, {
    rejections,
    logger: new Logger({ logLevel: "SILENT" }),
    now: () => NOW,
  });
  return { handler, rejections, run: runSpy };
}

describe("workflowHandler with a valid event", () => {
  it("runs the use case with the parsed detail, the contract's defaults applied", async () => {
    // Prepare
    const { handler, run, rejections } = prepare();
    const event = contactUpsertedEvent(erika);

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toEqual({ status: "done" });
    expect(run).toHaveBeenCalledOnce();
    expect(run.mock.calls[0]?.[0]).toEqual({
      ...erika,
      roles: [],
      language: "en",
      timeZone: "Europe/Berlin",
      reminders: true,
    });
    expect(run.mock.calls[0]?.[1]).toMatchObject({ id: event.id, time: event.time });
    expect(rejections.recorded).toHaveLength(0);
  });
});

describe("workflowHandler with a detail the contract refuses", () => {
  it("records the event with a readable reason and does not run the use case", async () => {
    // Prepare
    const { handler, run, rejections } = prepare();
    const event = contactUpsertedEvent({ ...erika, email: "erika-at-example.de" });

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toEqual({
      status: "rejected",
      reason: "detail.email: must be an email address",
    });
    expect(run).not.toHaveBeenCalled();
    expect(rejections.recorded).toEqual([
      {
        eventId: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        eventTime: "2023-03-16T09:00:00Z",
        rejectedAt: "2023-03-16T09:00:05.000Z",
        source: "kp.secretariat",
        detailType: "Contact Upserted",
        reason: "detail.email: must be an email address",
        event: expect.any(String),
        contactId: "de-focal-point-1",
      },
    ]);
    expect(JSON.parse(rejections.recorded[0]?.event ?? "")).toEqual(event);
  });

  it("says which field is missing", async () => {
    // Prepare
    const { handler, rejections } = prepare();
    const { name: _name, ...withoutName } = erika;

    // Act
    const outcome = await handler(contactUpsertedEvent(withoutName), lambdaContext);

    // Assess
    expect(outcome).toEqual({ status: "rejected", reason: "detail.name: is required" });
    expect(rejections.recorded[0]?.reason).toBe("detail.name: is required");
  });

  it("records a detail without a contactId without one", async () => {
    // Prepare
    const { handler, rejections } = prepare();
    const { contactId: _contactId, ...withoutId } = erika;

    // Act
    await handler(contactUpsertedEvent(withoutId), lambdaContext);

    // Assess
    expect(rejections.recorded).toHaveLength(1);
    expect(rejections.recorded[0]).not.toHaveProperty("contactId");
  });
});

describe("workflowHandler when the use case rejects the event", () => {
  it("records the rejection instead of throwing", async () => {
    // Prepare
    const { handler, rejections } = prepare(async () => {
      throw new EventRejected("Contact de-focal-point-1 was changed by a later event.");
    });
    const event = contactUpsertedEvent(erika);

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toEqual({
      status: "rejected",
      reason: "Contact de-focal-point-1 was changed by a later event.",
    });
    expect(rejections.recorded).toHaveLength(1);
    expect(rejections.recorded[0]).toMatchObject({
      reason: "Contact de-focal-point-1 was changed by a later event.",
      contactId: "de-focal-point-1",
    });
    expect(JSON.parse(rejections.recorded[0]?.event ?? "")).toEqual(event);
  });

  it("records the event without its personal data when the rejection asks for it", async () => {
    // Prepare
    const { handler, rejections } = prepare(async () => {
      throw new EventRejected("Contact de-focal-point-1 was removed.", true);
    });
    const event = contactUpsertedEvent(erika);

    // Act
    await handler(event, lambdaContext);

    // Assess
    const recorded = rejections.recorded[0];
    expect(recorded?.contactId).toBe("de-focal-point-1");
    expect(JSON.parse(recorded?.event ?? "")).toEqual({
      ...event,
      detail: { contactId: "de-focal-point-1", memberState: "DE", erased: ["name", "email"] },
    });
    expect(JSON.stringify(recorded)).not.toContain("Mustermann");
  });
});

describe("workflowHandler when the use case fails otherwise", () => {
  it("throws, so that Lambda retries and then sends the event to the dead-letter queue", async () => {
    // Prepare
    const failure = new Error("DynamoDB is unavailable");
    const { handler, rejections } = prepare(async () => {
      throw failure;
    });

    // Act
    const invocation = handler(contactUpsertedEvent(erika), lambdaContext);

    // Assess
    await expect(invocation).rejects.toBe(failure);
    expect(rejections.recorded).toHaveLength(0);
  });
});

describe("workflowHandler with an event the rules should not have routed to it", () => {
  it("throws UnroutableEvent for something that is not an EventBridge event", async () => {
    // Prepare
    const { handler, run, rejections } = prepare();

    // Act
    const invocation = handler({ Records: [{ body: "{}" }] }, lambdaContext);

    // Assess
    await expect(invocation).rejects.toThrow(UnroutableEvent);
    await expect(handler({ detail: erika }, lambdaContext)).rejects.toThrow(
      /^Not an EventBridge event: event\./,
    );
    expect(run).not.toHaveBeenCalled();
    expect(rejections.recorded).toHaveLength(0);
  });

  it("throws UnroutableEvent for another detail-type", async () => {
    // Prepare
    const { handler, run } = prepare();
    const event = { ...contactUpsertedEvent({ contactId: "de-focal-point-1" }) };
    event["detail-type"] = "Contact Removed";

    // Act
    const invocation = handler(event, lambdaContext);

    // Assess
    await expect(invocation).rejects.toThrow(
      'This function handles kp.secretariat "Contact Upserted", not kp.secretariat "Contact Removed"',
    );
    await expect(invocation).rejects.toBeInstanceOf(UnroutableEvent);
    expect(run).not.toHaveBeenCalled();
  });

  it("throws UnroutableEvent for another source", async () => {
    // Prepare
    const { handler } = prepare();
    const event = { ...contactUpsertedEvent(erika), source: "kp.elsewhere" };

    // Act
    const invocation = handler(event, lambdaContext);

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(UnroutableEvent);
  });
});

describe("workflowHandler and personal data in rejected events", () => {
  it("keeps a rejected contact without a usable contactId with its name and email erased", async () => {
    // Prepare
    const { handler, rejections } = prepare();

    // Act
    await handler(
      contactUpsertedEvent({
        contactID: "de-1",
        name: "Erika Mustermann",
        email: "erika@example.de",
      }),
      lambdaContext,
    );

    // Assess
    const kept = rejections.recorded[0]?.event;
    expect(kept).not.toContain("Erika");
    expect(kept).not.toContain("erika@example.de");
    expect(rejections.recorded[0]?.reason).toContain("detail: Unrecognized key");
  });

  it("erases a rejected event about a contact removed while it was being recorded", async () => {
    // Prepare
    const rejections = new InMemoryRejections();
    const erased: string[] = [];
    rejections.eraseContact = async (contactId?: string) => {
      erased.push(String(contactId));
      return 1;
    };
    const handler = workflowHandler(ContactUpserted, async () => undefined, {
      rejections,
      logger: new Logger({ logLevel: "SILENT" }),
      contacts: { isRemoved: async (contactId) => contactId === erika.contactId },
    });

    // Act
    await handler(contactUpsertedEvent({ ...erika, email: "not-an-email" }), lambdaContext);

    // Assess
    expect(erased).toEqual([erika.contactId]);
  });
});

describe("workflowHandler with an event stamped in the future", () => {
  it("rejects an event whose time is more than five minutes ahead of its clock, and asks about the sender's clock", async () => {
    // Prepare
    const { handler, run, rejections } = prepare();
    const event = { ...contactUpsertedEvent(erika), time: "2023-03-18T12:30:05Z" };

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toEqual({
      status: "rejected",
      reason:
        "event time 2023-03-18T12:30:05Z is ahead of the system clock (2023-03-16T09:00:05.000Z) by 2 days 3 hours; was the clock of the sender wrong? Put the event again without a time, or with the right one",
    });
    expect(run).not.toHaveBeenCalled();
    expect(rejections.recorded).toHaveLength(1);
  });

  it("applies an event up to five minutes ahead: clocks drift that much", async () => {
    // Prepare
    const { handler, run } = prepare();
    const event = { ...contactUpsertedEvent(erika), time: "2023-03-16T09:05:05Z" };

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toEqual({ status: "done" });
    expect(run).toHaveBeenCalledOnce();
  });
});

describe("workflowHandler with details no schema was written for", () => {
  it("rejects a detail nested 10,000 levels deep before zod reads it, and keeps it as text", async () => {
    // Prepare
    const { handler, run, rejections } = prepare();
    let deep: unknown = 1;
    for (let level = 0; level < 10_000; level += 1) deep = { a: deep };
    const event = contactUpsertedEvent({ ...erika, deep });

    // Act
    const outcome = await handler(event, lambdaContext);

    // Assess
    expect(outcome).toMatchObject({ status: "rejected" });
    expect(rejections.recorded[0]?.reason).toBe(
      "detail is nested more than 32 levels deep (at detail.deep.a.a.a.a.a.a.a…); no detail of the contract nests deeper than 4",
    );
    expect(rejections.recorded[0]?.event).toContain(`${'{"a":'.repeat(10_000)}1`);
    expect(run).not.toHaveBeenCalled();
  });

  it("names the first five of 30,000 issues and counts the rest, within 1,000 characters", async () => {
    // Prepare
    const { handler, rejections } = prepare();
    const event = contactUpsertedEvent({ ...erika, roles: Array(9_000).fill("x".repeat(500)) });

    // Act
    await handler(event, lambdaContext);

    // Assess
    const reason = rejections.recorded[0]?.reason ?? "";
    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/^detail\.roles\.0: /);
    expect(reason).toMatch(/; and 8995 more$/);
  });

  it("rejects a number no double holds with its place", async () => {
    // Prepare
    const { handler, rejections } = prepare();

    // Act
    await handler(
      contactUpsertedEvent({ ...erika, reminders: JSON.parse("1e400") }),
      lambdaContext,
    );

    // Assess
    expect(rejections.recorded[0]?.reason).toBe(
      "detail.reminders: is a number no double holds (it reads as Infinity); no field of the contract is such a number",
    );
    expect(JSON.parse(rejections.recorded[0]?.event ?? "").detail.reminders).toBe(Infinity);
  });
});

describe("workflowHandler counting rejected events", () => {
  it("publishes EventsRejected once for a refused event, and nothing for an accepted one", async () => {
    // Prepare
    const metrics = createMetrics();
    const published: string[] = [];
    const addMetric = vi.spyOn(metrics, "addMetric");
    vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => {
      published.push("flush");
      return metrics;
    });
    const handler = workflowHandler(ContactUpserted, async () => undefined, {
      rejections: new InMemoryRejections(),
      logger: new Logger({ logLevel: "SILENT" }),
      metrics,
      now: () => NOW,
    });

    // Act
    await handler(contactUpsertedEvent(erika), lambdaContext);
    await handler(contactUpsertedEvent({ ...erika, email: "erika-at-example.de" }), lambdaContext);

    // Assess
    expect(addMetric.mock.calls).toEqual([[EVENTS_REJECTED_METRIC, "Count", 1]]);
    expect(published).toEqual(["flush"]);
  });
});
