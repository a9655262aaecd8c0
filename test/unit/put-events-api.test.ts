import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LocalSystem } from "../../local/cloud-assembly.js";
import { DeadLetterQueues } from "../../local/dead-letters.js";
import { LocalEventBus } from "../../local/event-bus.js";
import {
  MAX_PUT_EVENTS_BYTES,
  putEvents,
  testEventPattern,
} from "../../local/eventbridge-server.js";
import { InvocationJournal, ScheduleJournal } from "../../local/invocation-journal.js";
import { LambdaService } from "../../local/lambda-service.js";

/** A bus with no rules and no functions: putEvents only asks it for envelopes. */
function emptyBus(): LocalEventBus {
  const stateDir = mkdtempSync(join(tmpdir(), "kp-put-events-"));
  const system: LocalSystem = {
    eventBuses: ["khartoum-process"],
    tables: [],
    queues: [],
    archives: [],
    functions: [],
    rules: [],
    eventSourceMappings: [],
    sesEventDestinations: [],
    outputs: {},
  };
  const lambda = new LambdaService(new Map(), {
    baseEnvironment: {},
    concurrency: 1,
    onLog: () => undefined,
  });
  return new LocalEventBus(system, lambda, new DeadLetterQueues("unused", []), {
    account: "123456789012",
    region: "eu-central-1",
    retryDelaysMs: [],
    onDelivery: () => undefined,
    onDeadLetter: () => undefined,
    onUnknownBus: () => undefined,
    now: () => new Date(),
    journal: new InvocationJournal(join(stateDir, "queue")),
    schedules: new ScheduleJournal(join(stateDir, "schedules.json")),
  });
}

function entry(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    EventBusName: "khartoum-process",
    Source: "kp.secretariat",
    DetailType: "Contact Removed",
    Detail: JSON.stringify({ contactId: "de-focal-point-1" }),
    ...fields,
  };
}

function withoutField(fields: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = fields;
  return rest;
}

/** The service error a call throws; fails the test when it returns. */
function serviceErrorOf(call: () => unknown): { type: string; message: string } {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error & { type: string };
  }
  throw new Error("expected the request to be refused");
}

describe("putEvents: the whole request", () => {
  it.each([
    ["no Entries", {}],
    ["an empty Entries list", { Entries: [] }],
  ])("refuses %s with a ValidationException", (_case, body) => {
    // Act
    const error = serviceErrorOf(() => putEvents(emptyBus(), body));

    // Assess
    expect(error.type).toBe("ValidationException");
    expect(error.message).toMatch(
      /^1 validation error detected: Value .+ at 'entries' failed to satisfy constraint: Member must /,
    );
  });

  it("refuses 11 entries with AWS's ValidationException", () => {
    // Prepare
    const entries = Array.from({ length: 11 }, () => entry());

    // Act
    const error = serviceErrorOf(() => putEvents(emptyBus(), { Entries: entries }));

    // Assess
    expect(error.type).toBe("ValidationException");
    expect(error.message).toMatch(/^1 validation error detected: Value '.+' at 'entries' /);
    expect(error.message).toMatch(
      /failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
  });

  it("accepts 10 entries", () => {
    // Prepare
    const entries = Array.from({ length: 10 }, () => entry());

    // Act
    const { response } = putEvents(emptyBus(), { Entries: entries });

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries).toHaveLength(10);
  });

  it("refuses entries over 256 KB in total", () => {
    // Prepare
    const half = "x".repeat(MAX_PUT_EVENTS_BYTES / 2);
    const entries = [
      entry({ Detail: JSON.stringify({ note: half }) }),
      entry({ Detail: JSON.stringify({ note: half }) }),
    ];

    // Act
    const error = serviceErrorOf(() => putEvents(emptyBus(), { Entries: entries }));

    // Assess
    expect(error).toMatchObject({
      type: "ValidationException",
      message: "Total size of the entries in the request is over the limit.",
    });
  });

  it("counts the size in UTF-8 bytes, not characters", () => {
    // Prepare
    // 'é' is two bytes in UTF-8: 140,000 of them are under the limit as characters, over it as bytes.
    const entries = [entry({ Detail: JSON.stringify({ note: "é".repeat(140_000) }) })];

    // Act
    const error = serviceErrorOf(() => putEvents(emptyBus(), { Entries: entries }));

    // Assess
    expect(error.message).toBe("Total size of the entries in the request is over the limit.");
  });

  it("accepts an entry well within the limit", () => {
    // Prepare
    const entries = [entry({ Detail: JSON.stringify({ note: "x".repeat(200_000) }) })];

    // Act
    const { response } = putEvents(emptyBus(), { Entries: entries });

    // Assess
    expect(response.FailedEntryCount).toBe(0);
  });
});

describe("putEvents: each entry", () => {
  it.each(["Source", "DetailType", "Detail"])(
    "fails an entry without %s with InvalidArgument",
    (field) => {
      // Act
      const { response, accepted } = putEvents(emptyBus(), {
        Entries: [withoutField(entry(), field)],
      });

      // Assess
      expect(response).toEqual({
        FailedEntryCount: 1,
        Entries: [
          {
            ErrorCode: "InvalidArgument",
            ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
          },
        ],
      });
      expect(accepted).toEqual([]);
    },
  );

  it("fails an entry with an empty Source like one without", () => {
    // Act
    const { response } = putEvents(emptyBus(), { Entries: [entry({ Source: "" })] });

    // Assess
    expect(response.Entries[0]).toEqual({
      ErrorCode: "InvalidArgument",
      ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
    });
  });

  it.each(["[]", "42", "not json", "null", '"a string"'])(
    "fails an entry whose Detail is %s with MalformedDetail",
    (detail) => {
      // Act
      const { response, accepted } = putEvents(emptyBus(), {
        Entries: [entry({ Detail: detail })],
      });

      // Assess
      expect(response.Entries).toEqual([
        { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      ]);
      expect(accepted).toEqual([]);
    },
  );

  it("counts the failed entries and keeps the results in the order of the request", () => {
    // Prepare
    const entries = [
      entry({ Detail: JSON.stringify({ contactId: "de-1" }) }),
      withoutField(entry(), "Source"),
      entry({ Detail: "[]" }),
      entry({ Detail: JSON.stringify({ contactId: "ke-1" }) }),
    ];

    // Act
    const { response, accepted } = putEvents(emptyBus(), { Entries: entries });

    // Assess
    expect(response.FailedEntryCount).toBe(2);
    expect(
      response.Entries.map((result) => ("EventId" in result ? "ok" : result.ErrorCode)),
    ).toEqual(["ok", "InvalidArgument", "MalformedDetail", "ok"]);
    expect(accepted.map(({ event }) => event.detail)).toEqual([
      { contactId: "de-1" },
      { contactId: "ke-1" },
    ]);
    expect(response.Entries[0]).toEqual({ EventId: accepted[0]?.event.id });
    expect(response.Entries[3]).toEqual({ EventId: accepted[1]?.event.id });
  });

  it("wraps an accepted entry in EventBridge's envelope", () => {
    // Prepare
    const entries = [entry({ Resources: ["arn:aws:events:eu-central-1:123456789012:rule/x"] })];

    // Act
    const { accepted } = putEvents(emptyBus(), { Entries: entries });

    // Assess
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.eventBusName).toBe("khartoum-process");
    expect(accepted[0]?.event).toMatchObject({
      version: "0",
      "detail-type": "Contact Removed",
      source: "kp.secretariat",
      account: "123456789012",
      region: "eu-central-1",
      resources: ["arn:aws:events:eu-central-1:123456789012:rule/x"],
      detail: { contactId: "de-focal-point-1" },
    });
    expect(accepted[0]?.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(accepted[0]?.event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("gives each accepted entry its own id", () => {
    // Act
    const { accepted } = putEvents(emptyBus(), { Entries: [entry(), entry()] });

    // Assess
    expect(accepted[0]?.event.id).not.toBe(accepted[1]?.event.id);
  });

  it("sets the event's time from Time in epoch seconds, as the SDK sends it", () => {
    // Prepare
    const time = Date.UTC(2023, 2, 16, 9, 0, 0) / 1000;

    // Act
    const { accepted } = putEvents(emptyBus(), { Entries: [entry({ Time: time })] });

    // Assess
    expect(accepted[0]?.event.time).toBe("2023-03-16T09:00:00Z");
  });

  it("sets the event's time from Time as an ISO string, as the CLI may send it", () => {
    // Act
    const { accepted } = putEvents(emptyBus(), {
      Entries: [entry({ Time: "2023-03-16T09:00:00.750Z" })],
    });

    // Assess
    expect(accepted[0]?.event.time).toBe("2023-03-16T09:00:00Z");
  });

  it("leaves the bus name undefined when the entry names none (the default bus)", () => {
    // Act
    const { accepted } = putEvents(emptyBus(), {
      Entries: [withoutField(entry(), "EventBusName")],
    });

    // Assess
    expect(accepted[0]?.eventBusName).toBeUndefined();
  });
});

describe("testEventPattern", () => {
  const event = JSON.stringify({
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    account: "123456789012",
    source: "kp.secretariat",
    time: "2023-03-16T09:00:00Z",
    region: "eu-central-1",
    "detail-type": "Contact Removed",
    resources: [],
    detail: { contactId: "de-focal-point-1" },
  });

  it("says true for an event the pattern matches", () => {
    // Act
    const outcome = testEventPattern({
      EventPattern: JSON.stringify({
        source: ["kp.secretariat"],
        "detail-type": ["Contact Removed"],
      }),
      Event: event,
    });

    // Assess
    expect(outcome).toEqual({ Result: true });
  });

  it("says false for an event the pattern does not match", () => {
    // Act
    const outcome = testEventPattern({
      EventPattern: JSON.stringify({ "detail-type": ["Contact Upserted"] }),
      Event: event,
    });

    // Assess
    expect(outcome).toEqual({ Result: false });
  });

  it.each([
    ["not JSON", "{source: kp"],
    ["not an object", '["kp.secretariat"]'],
    ["a value that is not a list", JSON.stringify({ source: "kp.secretariat" })],
  ])("refuses a pattern that is %s with InvalidEventPatternException", (_case, pattern) => {
    // Act
    const error = serviceErrorOf(() => testEventPattern({ EventPattern: pattern, Event: event }));

    // Assess
    expect(error.type).toBe("InvalidEventPatternException");
    expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
  });

  it("refuses an event missing required fields with a ValidationException naming them", () => {
    // Prepare
    const incomplete = JSON.stringify({ source: "kp.secretariat", detail: {} });

    // Act
    const error = serviceErrorOf(() =>
      testEventPattern({ EventPattern: JSON.stringify({ source: ["kp"] }), Event: incomplete }),
    );

    // Assess
    expect(error.type).toBe("ValidationException");
    expect(error.message).toMatch(/^Parameter Event is not valid\. Missing required field\(s\): /);
    expect(error.message).toContain("id, account, time, region, detail-type");
  });

  it("refuses an event that is not JSON with a ValidationException", () => {
    // Act
    const error = serviceErrorOf(() =>
      testEventPattern({ EventPattern: JSON.stringify({ source: ["kp"] }), Event: "{not json" }),
    );

    // Assess
    expect(error).toMatchObject({
      type: "ValidationException",
      message: "Parameter Event is not valid.",
    });
  });
});
