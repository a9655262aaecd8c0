import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args.js";
import { chaosCall, describeFaults } from "../../cli/commands/chaos.js";
import { UsageError } from "../../cli/target.js";
import {
  Chaos,
  InvalidChaosRequest,
  parseChaosDuration,
  parseChaosRequest,
} from "../../local/chaos.js";
import { throttledAnswer } from "../../local/dynamodb.js";
import { sesErrorAnswer } from "../../local/ses-simulator.js";

/** A random source that answers the given values in turn. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
}

const call = (line: string) => chaosCall(parseArgs(line.split(" ")));

describe("parseChaosDuration", () => {
  it("reads seconds, minutes, hours, milliseconds and ISO 8601 durations", () => {
    // Act
    const read = ["30s", "2m", "1h", "500ms", "PT45S", "1.5s"].map(parseChaosDuration);

    // Assess
    expect(read).toEqual([30_000, 120_000, 3_600_000, 500, 45_000, 1500]);
  });

  it("refuses what is not a duration, or no time at all", () => {
    // Assess
    expect(() => parseChaosDuration("soon")).toThrow(InvalidChaosRequest);
    expect(() => parseChaosDuration("0s")).toThrow(InvalidChaosRequest);
    expect(() => parseChaosDuration("30x")).toThrow(InvalidChaosRequest);
  });
});

describe("parseChaosRequest", () => {
  it("takes a function fault with its defaults: the next invocation, at once", () => {
    // Act
    const request = parseChaosRequest({ fault: "crash", function: "send-notices" });

    // Assess
    expect(request).toEqual({ fault: "crash", function: "send-notices", next: 1, after: 0 });
  });

  it("refuses a rate outside 0..1, an unknown fault and a window that is not a duration", () => {
    // Assess
    expect(() => parseChaosRequest({ fault: "ses-throttle", rate: 1.5 })).toThrow(
      InvalidChaosRequest,
    );
    expect(() => parseChaosRequest({ fault: "meteor" })).toThrow(InvalidChaosRequest);
    expect(() => parseChaosRequest({ fault: "ses-fail", for: "a while" })).toThrow(
      InvalidChaosRequest,
    );
  });
});

describe("kp chaos command lines", () => {
  it("turns a throttling fault with a window into the endpoint's POST", () => {
    // Act
    const made = call("chaos ses-throttle --rate 0.25 --for 2m");

    // Assess
    expect(made).toEqual({
      method: "POST",
      body: { fault: "ses-throttle", rate: 0.25, for: "2m" },
    });
  });

  it("reads --after-send as a switch, so the next word is not taken as its value", () => {
    // Act
    const made = call("chaos ses-timeout --after-send --for 30s");

    // Assess
    expect(made).toEqual({
      method: "POST",
      body: { fault: "ses-timeout", afterSend: true, for: "30s" },
    });
  });

  it("reads a function fault's count and delay, in milliseconds or as a duration", () => {
    // Act
    const crash = call("chaos crash send-notices --next 3 --after 250");
    const timeout = call("chaos timeout meeting-scheduled --after 2s");

    // Assess
    expect(crash).toEqual({
      method: "POST",
      body: { fault: "crash", function: "send-notices", next: 3, after: 250 },
    });
    expect(timeout).toEqual({
      method: "POST",
      body: { fault: "timeout", function: "meeting-scheduled", next: 1, after: 2000 },
    });
  });

  it("reads status and lift, of everything or of one kind", () => {
    // Assess
    expect(call("chaos status")).toEqual({ method: "GET" });
    expect(call("chaos lift")).toEqual({ method: "DELETE", query: "" });
    expect(call("chaos lift crash send-notices")).toEqual({
      method: "DELETE",
      query: "fault=crash&function=send-notices",
    });
  });

  it("refuses a missing rate, a function fault without a function and an unknown fault", () => {
    // Assess
    expect(() => call("chaos ses-throttle")).toThrow(UsageError);
    expect(() => call("chaos dynamodb-throttle --rate 2")).toThrow(UsageError);
    expect(() => call("chaos crash")).toThrow(UsageError);
    expect(() => call("chaos flood")).toThrow(UsageError);
    expect(() => call("chaos ses-fail --for never")).toThrow(UsageError);
  });

  it("shows what is in force, until when, and how often it hit", () => {
    // Act
    const shown = describeFaults([
      { fault: "ses-throttle", rate: 0.5, until: "2027-01-01T00:00:30.000Z", hits: 7 },
      { fault: "crash", function: "send-notices", remaining: 2, afterMs: 100, hits: 1 },
    ]);

    // Assess
    expect(shown.split("\n")).toEqual([
      expect.stringMatching(/^FAULT\s+TARGET\s+HOW\s+UNTIL\s+HITS$/),
      expect.stringMatching(/^ses-throttle\s+SES\s+rate 0.5\s+2027-01-01T00:00:30.000Z\s+7$/),
      expect.stringMatching(/^crash\s+send-notices\s+next 2, after 100 ms\s+-\s+1$/),
    ]);
  });
});

describe("Chaos decisions", () => {
  it("throttles the fraction of SES sends the rate says, and counts them", () => {
    // Prepare
    const chaos = new Chaos(sequence(0.1, 0.6, 0.3, 0.9));
    chaos.inject(parseChaosRequest({ fault: "ses-throttle", rate: 0.5 }));

    // Act
    const decisions = [1, 2, 3, 4].map(() => chaos.sesDecision());

    // Assess
    expect(decisions).toEqual(["throttle", "pass", "throttle", "pass"]);
    expect(chaos.status()).toEqual([{ fault: "ses-throttle", rate: 0.5, hits: 2 }]);
  });

  it("fails every send during an outage, holds them during a timeout, and passes once lifted", () => {
    // Prepare
    const chaos = new Chaos();

    // Act
    chaos.inject(parseChaosRequest({ fault: "ses-fail" }));
    const outage = chaos.sesDecision();
    chaos.inject(parseChaosRequest({ fault: "ses-timeout", afterSend: true }));
    const ambiguous = chaos.sesDecision();
    chaos.inject(parseChaosRequest({ fault: "ses-timeout" }));
    const hang = chaos.sesDecision();
    const lifted = chaos.lift("ses-timeout");
    const after = chaos.sesDecision();

    // Assess
    expect([outage, ambiguous, hang, after]).toEqual(["fail", "hang-after-send", "hang", "pass"]);
    expect(lifted).toEqual([{ fault: "ses-timeout", afterSend: false, hits: 1 }]);
    expect(chaos.status()).toEqual([]);
  });

  it("hits exactly the next N invocations of the named function, then none", () => {
    // Prepare
    const chaos = new Chaos();
    chaos.inject(
      parseChaosRequest({ fault: "crash", function: "send-notices", next: 2, after: 50 }),
    );

    // Act
    const other = chaos.functionFault("meeting-scheduled");
    const hits = [1, 2, 3].map(() => chaos.functionFault("send-notices"));

    // Assess
    expect(other).toBeUndefined();
    expect(hits).toEqual([
      { kind: "crash", afterMs: 50 },
      { kind: "crash", afterMs: 50 },
      undefined,
    ]);
    expect(chaos.status()).toEqual([]);
  });

  it("lifts a fault by itself when its window ends", async () => {
    // Prepare
    const chaos = new Chaos(() => 0);
    chaos.inject(parseChaosRequest({ fault: "dynamodb-throttle", rate: 1, for: "50ms" }));
    const during = chaos.dynamodbThrottles();

    // Act
    await new Promise((resolve) => setTimeout(resolve, 120));

    // Assess
    expect(during).toBe(true);
    expect(chaos.dynamodbThrottles()).toBe(false);
    expect(chaos.status()).toEqual([]);
  });

  it("lifts one kind and leaves the others in force", () => {
    // Prepare
    const chaos = new Chaos();
    chaos.inject(parseChaosRequest({ fault: "ses-fail" }));
    chaos.inject(parseChaosRequest({ fault: "dynamodb-throttle", rate: 0.1 }));
    chaos.inject(parseChaosRequest({ fault: "timeout", function: "send-notices", after: 10 }));

    // Act
    const lifted = chaos.lift("dynamodb-throttle");

    // Assess
    expect(lifted.map((fault) => fault.fault)).toEqual(["dynamodb-throttle"]);
    expect(chaos.status().map((fault) => fault.fault)).toEqual(["ses-fail", "timeout"]);
  });
});

describe("the answers a fault gives, as the services do", () => {
  it("answers SES throttling as HTTP 400 Throttling, and an outage as 500 InternalFailure", () => {
    // Act
    const throttled = sesErrorAnswer("throttle");
    const failed = sesErrorAnswer("fail");

    // Assess
    expect(throttled.status).toBe(400);
    expect(throttled.body).toContain("<Code>Throttling</Code>");
    expect(throttled.body).toContain("<Message>Maximum sending rate exceeded.</Message>");
    expect(failed.status).toBe(500);
    expect(failed.body).toContain("<Code>InternalFailure</Code>");
  });

  it("answers a throttled item request with ProvisionedThroughputExceededException, others ThrottlingException", () => {
    // Act
    const item = JSON.parse(throttledAnswer("PutItem").body);
    const control = JSON.parse(throttledAnswer("DescribeTable").body);

    // Assess
    expect(item.__type).toBe(
      "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    );
    expect(control.__type).toBe("com.amazonaws.dynamodb.v20120810#ThrottlingException");
    expect(throttledAnswer("GetItem").status).toBe(400);
  });
});
