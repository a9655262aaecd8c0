import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import {
  chaosControl,
  futureMeeting,
  importContacts,
  messagesByRecipient,
} from "../support/chaos.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

interface ListedLetter {
  id: string;
  queue: string;
  sentAt: string;
  error: string;
  event?: { id: string; detailType: string; time: string; detail: Record<string, unknown> };
}

describe("kp dead-letters, kp redrive and kp replay against the local runtime", () => {
  let stack: LocalStack;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ log: (line) => logLines.push(line) });
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

  async function listed(...filters: string[]): Promise<ListedLetter[]> {
    const result = await kp("dead-letters", "--json", ...filters);
    expect(result.code).toBe(0);
    return JSON.parse(result.out) as ListedLetter[];
  }

  /** Contacts of one member state at a domain of their own, and a meeting 60 days ahead for them. */
  async function rehearsal(name: string, memberState: string) {
    const domain = `${name}.example`;
    const addresses = await importContacts(
      stack.documents,
      stack.tableName,
      memberState,
      domain,
      3,
    );
    return { domain, addresses, meeting: futureMeeting(`ops-${name}-2027`, memberState) };
  }

  /** Puts the meeting while its workflow dies on every attempt (Lambda's first and two retries). */
  async function putWhileTheWorkflowCrashes(meeting: ReturnType<typeof futureMeeting>) {
    const chaos = chaosControl(stack.runtime.description.eventBridgeEndpoint);
    await chaos.inject({ fault: "crash", function: "meeting-scheduled", next: 3 });
    const [eventId] = await stack.put({ detailType: "Meeting Scheduled", detail: meeting });
    expect(await chaos.status()).toEqual([]);
    return eventId ?? "";
  }

  function received(domain: string): number[] {
    return [...messagesByRecipient(stack.runtime.mailDir, domain).values()];
  }

  it("lists a failed workflow's event with its detail-type, error and time; redrives it once; a second redrive sends nothing", async () => {
    // Prepare
    const { domain, meeting } = await rehearsal("redrive", "IT");
    const eventId = await putWhileTheWorkflowCrashes(meeting);
    expect(received(domain)).toEqual([]);

    // Act
    const letters = await listed("--detail-type", "meeting-scheduled");
    const text = await kp("dead-letters");
    const dryRun = await kp("redrive", "--dry-run");
    const afterDryRun = await listed();
    const first = await kp("redrive", "--id", eventId);
    const afterFirst = received(domain);
    const second = await kp("redrive");

    // Assess
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      queue: expect.stringContaining("FailedEvents"),
      error: expect.stringContaining("Runtime exited"),
      event: { id: eventId, detailType: "Meeting Scheduled", detail: meeting },
    });
    expect(Date.parse(letters[0]?.sentAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(text.out).toContain(`Meeting Scheduled  event ${eventId}`);
    expect(text.out).toContain("Runtime.ExitError");
    expect(dryRun).toMatchObject({ code: 0 });
    expect(dryRun.out).toContain("Would redrive  Meeting Scheduled");
    expect(afterDryRun).toHaveLength(1);
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(first.out).toContain("1 redriven");
    expect(afterFirst).toEqual([1, 1, 1]);
    expect(second).toMatchObject({ code: 0 });
    expect(second.out).toContain("Nothing to redrive");
    expect(received(domain)).toEqual([1, 1, 1]);
    expect(await listed()).toEqual([]);
  });

  it("replaying a window that was already handled changes nothing and sends nothing", async () => {
    // Prepare: an hour ago (by the events' time), the meeting was scheduled, then moved a day.
    const hourAgo = Date.now() - 3_600_000;
    const { domain, meeting } = await rehearsal("replay-handled", "DE");
    const nextDay = (time: string) =>
      new Date(Date.parse(`${time}Z`) + 86_400_000).toISOString().slice(0, 16);
    const entry = (detailType: string, detail: unknown, time: number) => ({
      EventBusName: "khartoum-process",
      Source: "kp.secretariat",
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Time: new Date(time),
    });
    const scheduled = await stack.putEntries([entry("Meeting Scheduled", meeting, hourAgo)]);
    await stack.putEntries([
      entry(
        "Meeting Rescheduled",
        {
          meetingId: meeting.meetingId,
          startsAt: nextDay(meeting.startsAt),
          endsAt: nextDay(meeting.endsAt),
          timeZone: meeting.timeZone,
          venue: meeting.venue,
        },
        hourAgo + 60_000,
      ),
    ]);
    const eventId = scheduled.Entries?.[0]?.EventId;
    const from = new Date(hourAgo - 60_000).toISOString();
    const to = new Date(hourAgo + 120_000).toISOString();
    const before = await stack.scanEverything();
    logLines.length = 0;

    // Act
    const replayed = await kp("replay", "--from", from, "--to", to);
    const again = await kp("replay", "--from", from, "--to", to, "--json");

    // Assess
    expect(replayed).toMatchObject({ code: 0, err: "" });
    expect(replayed.out).toContain("COMPLETED: Replay completed: 2 event(s) replayed.");
    expect(JSON.parse(again.out)).toMatchObject({ state: "COMPLETED" });
    // Each replay reached the workflow (the same event), which found nothing left to do: the
    // notices it hands to the sender again are skipped by the outbox.
    const handled = logLines.filter((line) =>
      line.startsWith(`✓ meeting-scheduled ← Meeting Scheduled ${eventId}`),
    );
    expect(handled).toHaveLength(2);
    expect(logLines.filter((line) => !line.startsWith("✓"))).toEqual([]);
    expect(received(domain)).toEqual([2, 2, 2]);
    expect(await stack.scanEverything()).toEqual(before);
  });

  it("replaying after the fault is gone completes what had failed, once; redriving its dead letter then sends nothing", async () => {
    // Prepare
    const from = new Date(Date.now() - 1000).toISOString();
    const { domain, meeting } = await rehearsal("replay-after-fix", "NL");
    await putWhileTheWorkflowCrashes(meeting);
    const to = new Date(Date.now() + 1000).toISOString();
    expect(received(domain)).toEqual([]);

    // Act
    const replayed = await kp("replay", "--from", from, "--to", to);
    const afterReplay = received(domain);
    const redriven = await kp("redrive");

    // Assess
    expect(replayed.out).toContain("1 event(s) replayed");
    expect(afterReplay).toEqual([1, 1, 1]);
    expect(redriven.out).toContain("1 redriven");
    expect(received(domain)).toEqual([1, 1, 1]);
  });

  it("archives the secretariat's events but those with a name or email, as the template's archive does", async () => {
    // Prepare
    const from = new Date(Date.now() - 1000).toISOString();
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "be-archive-1",
        name: "Lotte Peeters",
        email: "lotte@example.be",
        memberState: "BE",
        roles: ["focal-point"],
      },
    });
    await stack.put({ detailType: "Contact Removed", detail: { contactId: "be-archive-1" } });
    const to = new Date(Date.now() + 1000).toISOString();
    const archiveName = stack.runtime.description.outputs["KpStateful.ArchiveName"] ?? "";

    // Act
    const result = await kp("replay", "--from", from, "--to", to);
    const kept = stack.runtime.eventBus.archives?.events(archiveName) ?? [];

    // Assess
    expect(result.out).toContain("1 event(s) replayed");
    expect(kept.map((event) => event["detail-type"])).toContain("Contact Removed");
    expect(kept.map((event) => event["detail-type"])).not.toContain("Contact Upserted");
    expect(JSON.stringify(kept)).not.toContain("lotte@example.be");
    // A replayed event is not archived again.
    expect(kept.every((event) => event["replay-name"] === undefined)).toBe(true);
  });

  it("refuses a window that ends before it starts, or a time without its zone, and replays nothing", async () => {
    const backwards = await kp("replay", "--from", "2026-11-28", "--to", "2026-11-27");
    const zoneless = await kp("replay", "--from", "2026-11-27T09:00", "--to", "2026-11-28");

    expect(backwards.code).toBe(2);
    expect(backwards.err).toContain("must be before --to");
    expect(zoneless.code).toBe(2);
    expect(zoneless.err).toContain("a time with its zone");
  });
});
