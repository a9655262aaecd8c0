import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, describe, expect, it } from "vitest";
import { ASSEMBLY_DIR } from "../global-setup.js";
import {
  exited,
  futureMeeting,
  importContactsInto,
  messagesByRecipient,
  npmStart,
  SENDER_IN_FLIGHT,
  tally,
  waitUntil,
} from "../support/chaos.js";
import { PROJECT_DIR } from "../support/local-stack.js";

const CONTACTS = 200;
const KILL_AFTER = 40;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("kill -9 of npm start in the middle of a fan-out", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kp-kill-"));
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of running) {
      child.kill("SIGTERM");
      await exited(child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("after a restart on the same state, every contact has the invitation once, but for those in flight at the kill", async () => {
    // Prepare: the test's cloud assembly, so that `npm start` does not synthesize again.
    cpSync(ASSEMBLY_DIR, join(dataDir, "cdk.out"), { recursive: true });
    const first = npmStart(PROJECT_DIR, dataDir);
    running.push(first.process);
    const description = await first.ready;
    const domain = "kill.example.org";
    const addresses = await importContactsInto(description, "DE", domain, CONTACTS);
    const eventBridge = new EventBridgeClient({
      endpoint: description.eventBridgeEndpoint,
      region: description.region,
      credentials,
    });
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "khartoum-process",
            Source: "kp.secretariat",
            DetailType: "Meeting Scheduled",
            Detail: JSON.stringify(futureMeeting("chaos-kill-2027", "DE")),
          },
        ],
      }),
    );
    eventBridge.destroy();
    const mailDir = join(dataDir, "mail");
    const count = () => (existsSync(mailDir) ? readdirSync(mailDir).length : 0);
    await waitUntil(() => count() >= KILL_AFTER, 60_000);

    // Act
    first.process.kill("SIGKILL");
    await exited(first.process);
    const atKill = count();
    rmSync(join(dataDir, "runtime.json"));
    const second = npmStart(PROJECT_DIR, dataDir);
    running.push(second.process);
    const restarted = await second.ready;
    const queue = join(dataDir, "queue");
    let last = -1;
    await waitUntil(() => {
      const settled = readdirSync(queue).length === 0 && count() === last;
      last = count();
      return settled;
    }, 90_000);
    for (let round = 0; round < 3; round += 1) {
      if (tally(addresses, messagesByRecipient(mailDir, domain)).missing.length === 0) break;
      // The outbox's reconciler (a schedule) re-hands what is left undone, as time passes.
      await fetch(`${restarted.eventBridgeEndpoint}/_kp/clock`, {
        method: "POST",
        body: JSON.stringify({ advance: "PT15M" }),
      });
    }
    const outcome = tally(addresses, messagesByRecipient(mailDir, domain));

    // Assess
    expect(atKill).toBeLessThan(CONTACTS);
    expect(outcome.missing).toEqual([]);
    expect(outcome.duplicates).toBeLessThanOrEqual(SENDER_IN_FLIGHT);
  }, 120_000);
});
