import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalArchives, ReplayRefused } from "../../local/archive.js";
import type { EventEnvelope } from "../../local/event-bus.js";
import { parseEventPattern } from "../../local/event-pattern.js";

const BUS = "khartoum-process";
const BUS_ARN = `arn:aws:events:eu-central-1:123456789012:event-bus/${BUS}`;
const ARCHIVE_ARN = "arn:aws:events:eu-central-1:123456789012:archive/KpStateful-Archive";

function event(id: string, time: string, detail: Record<string, unknown> = {}): EventEnvelope {
  return {
    version: "0",
    id,
    "detail-type": "Meeting Cancelled",
    source: "kp.secretariat",
    account: "123456789012",
    time,
    region: "eu-central-1",
    resources: [],
    detail,
  };
}

describe("the local runtime's archive and its replays", () => {
  let directory: string;
  let archives: LocalArchives;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "kp-archive-"));
    archives = new LocalArchives(
      directory,
      [
        {
          archiveName: "KpStateful-Archive",
          arn: ARCHIVE_ARN,
          eventBusName: BUS,
          eventPattern: parseEventPattern({
            source: ["kp.secretariat"],
            detail: { email: [{ exists: false }] },
          }),
        },
      ],
      { account: "123456789012", region: "eu-central-1", now: () => new Date() },
    );
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  function replay(name: string, from: string, to: string, filterArns?: string[]) {
    const published: { bus: string; event: EventEnvelope; rules?: string[] }[] = [];
    const started = archives.startReplay(
      {
        replayName: name,
        eventSourceArn: ARCHIVE_ARN,
        eventStartTime: new Date(from),
        eventEndTime: new Date(to),
        destination: { arn: BUS_ARN, ...(filterArns === undefined ? {} : { filterArns }) },
      },
      (bus, replayed, rules) => published.push({ bus, event: replayed, rules }),
    );
    return { started, published };
  }

  it("keeps what the pattern matches on its bus, and no replayed event", () => {
    archives.record(BUS, event("a", "2026-11-27T09:00:00Z"));
    archives.record(BUS, event("b", "2026-11-27T09:01:00Z", { email: "x@example.org" }));
    archives.record("default", event("c", "2026-11-27T09:02:00Z"));
    archives.record(BUS, { ...event("d", "2026-11-27T09:03:00Z"), "replay-name": "earlier" });

    expect(archives.events("KpStateful-Archive").map((kept) => kept.id)).toEqual(["a"]);
  });

  it("replays the window's events by their time, oldest first, marked with the replay's name", async () => {
    // Prepare
    archives.record(BUS, event("late", "2026-11-27T23:59:59Z"));
    archives.record(BUS, event("early", "2026-11-27T00:00:00Z"));
    archives.record(BUS, event("next-day", "2026-11-28T00:00:00Z"));
    archives.record(BUS, event("day-before", "2026-11-26T23:59:59Z"));

    // Act
    const { started, published } = replay("r-1", "2026-11-27T00:00Z", "2026-11-28T00:00Z", [
      "arn:rule",
    ]);
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(started.state).toBe("STARTING");
    expect(published.map(({ event: replayed }) => replayed.id)).toEqual(["early", "late"]);
    expect(published.every(({ event: replayed }) => replayed["replay-name"] === "r-1")).toBe(true);
    expect(published.every(({ bus, rules }) => bus === BUS && rules?.[0] === "arn:rule")).toBe(
      true,
    );
    expect(archives.describeReplay("r-1")).toMatchObject({
      state: "COMPLETED",
      replayed: 2,
      eventLastReplayedTime: new Date("2026-11-27T23:59:59Z"),
    });
  });

  it("refuses what EventBridge refuses: a name used twice, another bus, an empty window, an unknown archive", () => {
    replay("r-1", "2026-11-27T00:00Z", "2026-11-28T00:00Z");
    const refusal = (act: () => unknown) => {
      try {
        act();
      } catch (error) {
        return error instanceof ReplayRefused ? error.type : String(error);
      }
      return "accepted";
    };

    expect(refusal(() => replay("r-1", "2026-11-27T00:00Z", "2026-11-28T00:00Z"))).toBe(
      "ResourceAlreadyExistsException",
    );
    expect(refusal(() => replay("r-2", "2026-11-28T00:00Z", "2026-11-27T00:00Z"))).toBe(
      "ValidationException",
    );
    expect(
      refusal(() =>
        archives.startReplay(
          {
            replayName: "r-3",
            eventSourceArn: ARCHIVE_ARN,
            eventStartTime: new Date(0),
            eventEndTime: new Date(1000),
            destination: { arn: BUS_ARN.replace(BUS, "default") },
          },
          () => undefined,
        ),
      ),
    ).toBe("ValidationException");
    expect(refusal(() => archives.describeReplay("r-9"))).toBe("ResourceNotFoundException");
    expect(refusal(() => archives.events("no-such-archive"))).toBe("ResourceNotFoundException");
  });
});
