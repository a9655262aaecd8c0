import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SystemStatus } from "../../cli/commands/status.js";
import { runKp } from "../../cli/kp.js";
import { ERIKA_DETAIL } from "../support/examples.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

describe("kp status against the local runtime", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.stop());

  async function kp(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKp([...argv, "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    await stack.runtime.idle();
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  it("reports all well on a fresh runtime, with the local SES's quota (sesMaxSendRate), exit 0", async () => {
    // Act
    const result = await kp("status", "--json");

    // Assess
    expect(result).toMatchObject({ code: 0, err: "" });
    const report = JSON.parse(result.out) as SystemStatus;
    expect(report).toMatchObject({
      kind: "local",
      stage: "prod",
      deadLetters: { total: 0, queues: [] },
      rejected: { count: 0 },
      notices: { open: 0, pending: 0, failed: 0 },
      ses: {
        productionAccess: true,
        sendingEnabled: true,
        max24HourSend: -1,
        maxSendRate: 14,
        sentLast24Hours: 0,
      },
      alarms: null,
      attention: [],
    });
  });

  it("after a rejected event and a dead letter, reports both and exits 1", async () => {
    // Prepare: an event of no known detail-type is rejected; a contact-upserted that crashes on
    // every attempt (the first and Lambda's two retries) ends in FailedEvents.
    await stack.put({ detailType: "Meeting Postponed", detail: { meetingId: "som-10" } });
    const crash = await kp("chaos", "crash", "contact-upserted", "--next", "3", "--after", "0");
    expect(crash.code).toBe(0);
    await stack.put({ detailType: "Contact Upserted", detail: ERIKA_DETAIL });

    // Act
    const json = await kp("status", "--json");
    const text = await kp("status");

    // Assess
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as SystemStatus;
    expect(report.rejected.count).toBe(1);
    expect(report.deadLetters.total).toBe(1);
    expect(report.deadLetters.queues).toEqual([
      { queue: expect.stringContaining("FailedEvents"), messages: 1 },
    ]);
    expect(report.attention).toEqual([
      expect.stringMatching(/^1 dead letter\(s\) waiting: .*FailedEvents.* 1/),
    ]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/rejected\s+1 in the last 24 h/);
    expect(text.out).toMatch(/Needs attention:\n {2}- 1 dead letter/);
  });

  it("counts rejections in the last 24 hours of the runtime's clock", async () => {
    // Act: a day and a bit later, yesterday's rejection is no longer "in the last day".
    await kp("clock", "advance", "P1DT1H");
    const result = await kp("status", "--json");
    await kp("clock", "reset");

    // Assess
    const report = JSON.parse(result.out) as SystemStatus;
    expect(report.rejected.count).toBe(0);
    expect(report.deadLetters.total).toBe(1);
  });
});
