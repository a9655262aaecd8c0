import { resolve } from "node:path";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chaosControl,
  futureMeeting,
  importContacts,
  messagesByRecipient,
  SENDER_IN_FLIGHT,
  tally,
  waitUntil,
} from "../support/chaos.js";
import { type LocalStack, PROJECT_DIR, startLocalStack } from "../support/local-stack.js";

// Each rehearsal fans a future meeting out to CONTACTS contacts of one member state while a
// fault of `kp chaos` is in force, lifts it, lets the system settle (Lambda's retries, then the
// outbox's reconciler, run by moving the clock), and counts the `.eml` files by recipient.
const CONTACTS = 60;
// The SES rate is left unlimited here so that a rehearsal takes seconds; the rate is the
// benchmark's business.
const CHAOS_ASSEMBLY = resolve(PROJECT_DIR, ".kp-local", "test-chaos-cdk.out");

describe("chaos: every contact gets exactly one invitation, but for the documented window", () => {
  let stack: LocalStack;
  let chaos: ReturnType<typeof chaosControl>;

  beforeAll(async () => {
    stack = await startLocalStack({
      assemblyDir: CHAOS_ASSEMBLY,
      context: { sesMaxSendRate: "0" },
      // Lambda's retries come a minute or two apart in AWS; here a quarter and half a second.
      retryDelaysMs: [250, 500],
    });
    chaos = chaosControl(stack.runtime.description.eventBridgeEndpoint);
  });
  afterAll(() => stack.stop());

  /** The contacts of a rehearsal, at a domain of their own so that counts do not mix. */
  async function rehearsal(name: string, memberState: string) {
    const domain = `${name}.example.org`;
    const addresses = await importContacts(
      stack.documents,
      stack.tableName,
      memberState,
      domain,
      CONTACTS,
    );
    return { domain, addresses, meeting: futureMeeting(`chaos-${name}-2027`, memberState) };
  }

  async function putMeeting(meeting: ReturnType<typeof futureMeeting>) {
    await stack.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "khartoum-process",
            Source: "kp.secretariat",
            DetailType: "Meeting Scheduled",
            Detail: JSON.stringify(meeting),
          },
        ],
      }),
    );
  }

  /** Retries done, then the reconciler (a schedule) for what is still undone, as time passes. */
  async function settle(domain: string, addresses: string[]) {
    await stack.runtime.idle();
    for (let round = 0; round < 3; round += 1) {
      if (tally(addresses, messagesByRecipient(stack.runtime.mailDir, domain)).missing.length === 0)
        break;
      await stack.advanceClock("PT15M");
    }
    return tally(addresses, messagesByRecipient(stack.runtime.mailDir, domain));
  }

  const sent = (domain: string) => () =>
    [...messagesByRecipient(stack.runtime.mailDir, domain).values()].reduce((a, b) => a + b, 0);

  it("ses-throttle at half the sends: none missing, none twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("ses-throttle", "DE");
    await chaos.inject({ fault: "ses-throttle", rate: 0.5 });

    // Act
    await putMeeting(meeting);
    await stack.runtime.idle();
    const lifted = await chaos.lift();
    const outcome = await settle(domain, addresses);

    // Assess
    expect(lifted[0]?.hits).toBeGreaterThan(0);
    expect(outcome).toEqual({ missing: [], duplicates: 0 });
  });

  it("ses-fail for a moment: Lambda's retry sends what failed, none twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("ses-fail-short", "FR");
    const fault = await chaos.inject({ fault: "ses-fail", for: "500ms" });

    // Act
    await putMeeting(meeting);
    await stack.runtime.idle();
    const outcome = await settle(domain, addresses);

    // Assess
    expect(fault.until).toEqual(expect.any(String));
    expect(outcome).toEqual({ missing: [], duplicates: 0 });
  });

  it("ses-timeout: the sends that hang are dropped when it lifts; none missing, none twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("ses-timeout", "NL");
    await chaos.inject({ fault: "ses-timeout" });

    // Act
    await putMeeting(meeting);
    await waitUntil(async () => ((await chaos.status())[0]?.hits ?? 0) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [lifted] = await chaos.lift("ses-timeout");
    const outcome = await settle(domain, addresses);

    // Assess
    expect(lifted?.hits).toBeGreaterThanOrEqual(1);
    expect(outcome).toEqual({ missing: [], duplicates: 0 });
  });

  it("ses-timeout after sending (the ambiguous answer): none missing, at most those in flight twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("ses-ambiguous", "BE");
    await chaos.inject({ fault: "ses-timeout", afterSend: true });

    // Act
    await putMeeting(meeting);
    await waitUntil(async () => ((await chaos.status())[0]?.hits ?? 0) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [lifted] = await chaos.lift("ses-timeout");
    const outcome = await settle(domain, addresses);

    // Assess
    const inFlight = lifted?.hits ?? 0;
    expect(inFlight).toBeGreaterThanOrEqual(1);
    expect(inFlight).toBeLessThanOrEqual(SENDER_IN_FLIGHT * 2);
    expect(outcome.missing).toEqual([]);
    expect(outcome.duplicates).toBeLessThanOrEqual(inFlight);
  });

  it("timeout of the sender mid-chunk (a shortened deadline): none missing, at most those in flight twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("sender-timeout", "SE");
    await chaos.inject({ fault: "timeout", function: "send-notices", next: 1, after: 300 });

    // Act
    await putMeeting(meeting);
    const outcome = await settle(domain, addresses);

    // Assess
    expect(outcome.missing).toEqual([]);
    expect(outcome.duplicates).toBeLessThanOrEqual(SENDER_IN_FLIGHT);
  });

  it("crash of the sender mid-chunk: none missing, at most those in flight twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("sender-crash", "AT");
    await chaos.inject({ fault: "crash", function: "send-notices", next: 1, after: 300 });

    // Act
    await putMeeting(meeting);
    // On a loaded machine the crash can come before the first send: then the retry waits for the
    // crashed attempt's claims to lapse (30 s) before it sends.
    await waitUntil(() => sent(domain)() > 0, 60_000);
    const outcome = await settle(domain, addresses);

    // Assess
    expect(outcome.missing).toEqual([]);
    expect(outcome.duplicates).toBeLessThanOrEqual(SENDER_IN_FLIGHT);
  });

  it("dynamodb-throttle on a fifth of the requests: none missing, at most those in flight twice", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("dynamodb-throttle", "DK");
    await chaos.inject({ fault: "dynamodb-throttle", rate: 0.2, for: "3s" });

    // Act
    await putMeeting(meeting);
    await stack.runtime.idle();
    await chaos.lift();
    const outcome = await settle(domain, addresses);

    // Assess
    expect(outcome.missing).toEqual([]);
    expect(outcome.duplicates).toBeLessThanOrEqual(SENDER_IN_FLIGHT);
  });

  it("an hour of SES refusing every call: the reconciler sends every invitation once SES is back, with no operator action", async () => {
    // Prepare
    const { domain, addresses, meeting } = await rehearsal("ses-outage", "IT");
    await chaos.inject({ fault: "ses-fail" });

    // Act: the chunk fails past Lambda's retries; for an hour the reconciler hands it over again
    // every quarter of an hour, and SES refuses it again.
    await putMeeting(meeting);
    await stack.runtime.idle();
    for (let quarter = 0; quarter < 4; quarter += 1) await stack.advanceClock("PT15M");
    const during = sent(domain)();
    const [lifted] = await chaos.lift("ses-fail");
    const outcome = await settle(domain, addresses);

    // Assess
    expect(during).toBe(0);
    expect(lifted?.hits).toBeGreaterThan(4);
    expect(outcome).toEqual({ missing: [], duplicates: 0 });
  });
});
