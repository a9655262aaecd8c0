import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { type LocalRuntime, startLocalRuntime } from "../local/runtime.js";
import { ensureCloudAssembly } from "../local/synth.js";
import { createDocumentClient } from "../shared/adapters/dynamodb-client.js";
import { DEFAULT_EVENT_BUS_NAME, MeetingScheduled, SOURCE } from "../shared/contract/index.js";
import {
  chaosControl,
  deliveriesByRecipient,
  exited,
  futureMeeting,
  importContacts,
  importContactsInto,
  messagesByRecipient,
  npmStart,
  tally,
  waitUntil,
} from "../test/support/chaos.js";

const PROJECT_DIR = resolve(import.meta.dirname, "..");
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export interface ChaosRun {
  fault: string;
  contacts: number;
  emails: number;
  duplicates: number;
  missing: number;
  /** Contacts without an email at the moment the fault ended (lifted, expired or restarted). */
  missingAtEnd: number;
  /** From the fault's end to the last of those contacts' first email; undefined: none missing. */
  healMs: number | undefined;
  /** How many times the clock was moved PT15M so that the reconciler ran. */
  clockAdvances: number;
}

type Control = ReturnType<typeof chaosControl>;

interface Scenario {
  label: string;
  memberState: string;
  /** Injects the fault, puts the meeting (`put`) and answers when the fault ended (epoch ms). */
  run(chaos: Control, runtime: LocalRuntime, put: () => Promise<void>): Promise<number>;
}

/** Waits until the SES fault has hit a request, lets it hold a moment, and lifts it. */
async function liftAfterFirstHit(chaos: Control): Promise<number> {
  await waitUntil(async () => ((await chaos.status())[0]?.hits ?? 0) >= 1, 60_000);
  await sleep(300);
  await chaos.lift("ses-timeout");
  return Date.now();
}

/** A crash or timeout of the sender's next invocation: it ends when that invocation dies. */
async function functionFaultEnd(chaos: Control, afterMs: number): Promise<number> {
  await waitUntil(async () => (await chaos.status()).length === 0, 60_000);
  return Date.now() + afterMs;
}

const SCENARIOS: Scenario[] = [
  {
    label: "ses-throttle, rate 0.5, lifted when the fan-out is idle",
    memberState: "DE",
    async run(chaos, runtime, put) {
      await chaos.inject({ fault: "ses-throttle", rate: 0.5 });
      await put();
      await runtime.idle();
      await chaos.lift();
      return Date.now();
    },
  },
  {
    label: "ses-fail for 2 s (short)",
    memberState: "FR",
    async run(chaos, runtime, put) {
      const fault = await chaos.inject({ fault: "ses-fail", for: "2s" });
      await put();
      const until = Date.parse(fault.until ?? "");
      await runtime.idle();
      await sleep(Math.max(0, until - Date.now()));
      return until;
    },
  },
  {
    label: "ses-fail past Lambda's retries (long), then lifted",
    memberState: "IT",
    async run(chaos, runtime, put) {
      await chaos.inject({ fault: "ses-fail" });
      await put();
      await runtime.idle();
      await chaos.lift("ses-fail");
      return Date.now();
    },
  },
  {
    label: "ses-timeout (no answer, not sent), lifted 300 ms after the first hang",
    memberState: "NL",
    async run(chaos, _runtime, put) {
      await chaos.inject({ fault: "ses-timeout" });
      await put();
      return liftAfterFirstHit(chaos);
    },
  },
  {
    label: "ses-timeout --after-send (sent, no answer), lifted 300 ms after the first hang",
    memberState: "BE",
    async run(chaos, _runtime, put) {
      await chaos.inject({ fault: "ses-timeout", afterSend: true });
      await put();
      return liftAfterFirstHit(chaos);
    },
  },
  {
    label: "crash of send-notices (next 1, after 300 ms)",
    memberState: "AT",
    async run(chaos, _runtime, put) {
      await chaos.inject({ fault: "crash", function: "send-notices", next: 1, after: 300 });
      await put();
      return functionFaultEnd(chaos, 300);
    },
  },
  {
    label: "timeout of send-notices (next 1, after 1 s)",
    memberState: "SE",
    async run(chaos, _runtime, put) {
      await chaos.inject({ fault: "timeout", function: "send-notices", next: 1, after: 1000 });
      await put();
      return functionFaultEnd(chaos, 1000);
    },
  },
  {
    label: "dynamodb-throttle, rate 0.2, lifted when the fan-out is idle",
    memberState: "DK",
    async run(chaos, runtime, put) {
      await chaos.inject({ fault: "dynamodb-throttle", rate: 0.2 });
      await put();
      await runtime.idle();
      await chaos.lift("dynamodb-throttle");
      return Date.now();
    },
  },
];

async function putMeeting(endpoint: string, region: string, meeting: unknown): Promise<void> {
  const client = new EventBridgeClient({ endpoint, region, credentials });
  try {
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: DEFAULT_EVENT_BUS_NAME,
            Source: SOURCE,
            DetailType: MeetingScheduled.detailType,
            Detail: JSON.stringify(meeting),
          },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}

async function advanceClock(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/_kp/clock`, {
    method: "POST",
    body: JSON.stringify({ advance: "PT15M" }),
  });
  if (!response.ok) throw new Error(`POST /_kp/clock answered ${response.status}`);
}

/** Counts by recipient, and who was still without an email when the fault ended. */
function outcome(
  fault: string,
  addresses: string[],
  deliveries: Map<string, number[]>,
  endedAt: number,
  clockAdvances: number,
): ChaosRun {
  const counts = new Map([...deliveries].map(([address, times]) => [address, times.length]));
  const { missing, duplicates } = tally(addresses, counts);
  const lateFirsts = addresses
    .map((address) => deliveries.get(address)?.[0])
    .filter((first) => first === undefined || first > endedAt);
  const healed = lateFirsts.filter((first): first is number => first !== undefined);
  return {
    fault,
    contacts: addresses.length,
    emails: [...counts.values()].reduce((sum, count) => sum + count, 0),
    duplicates,
    missing: missing.length,
    missingAtEnd: lateFirsts.length,
    healMs: lateFirsts.length === 0 ? undefined : Math.max(...healed) - endedAt,
    clockAdvances,
  };
}

/** Each fault of `kp chaos` during a fan-out to `contacts` contacts, in one local runtime. */
export async function benchChaosFaults(contacts: number): Promise<ChaosRun[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "kp-bench-chaos-"));
  const runtime = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    assemblyDir: join(PROJECT_DIR, ".kp-local", "bench-chaos-cdk.out"),
    context: { sesMaxSendRate: "0" },
    ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
    retryDelaysMs: [1000, 2000],
  });
  const { description } = runtime;
  const dynamodb = new DynamoDBClient({
    endpoint: description.dynamodbEndpoint,
    region: description.region,
    credentials,
  });
  const chaos = chaosControl(description.eventBridgeEndpoint);
  const runs: ChaosRun[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const domain = `${scenario.memberState.toLowerCase()}.bench-chaos.example.org`;
      const addresses = await importContacts(
        createDocumentClient(dynamodb),
        Object.values(description.tables)[0] ?? "",
        scenario.memberState,
        domain,
        contacts,
      );
      const meeting = futureMeeting(
        `bench-chaos-${scenario.memberState.toLowerCase()}`,
        scenario.memberState,
      );
      const endedAt = await scenario.run(chaos, runtime, () =>
        putMeeting(description.eventBridgeEndpoint, description.region, meeting),
      );
      // Lambda's retries first; what is still undone waits for the reconciler, a schedule that
      // runs as the (local) clock moves on.
      await runtime.idle();
      let clockAdvances = 0;
      while (
        clockAdvances < 3 &&
        tally(addresses, messagesByRecipient(runtime.mailDir, domain)).missing.length > 0
      ) {
        await advanceClock(description.eventBridgeEndpoint);
        await runtime.idle();
        clockAdvances += 1;
      }
      await chaos.lift();
      const run = outcome(
        scenario.label,
        addresses,
        deliveriesByRecipient(runtime.mailDir, domain),
        endedAt,
        clockAdvances,
      );
      console.error(`chaos: ${JSON.stringify(run)}`);
      runs.push(run);
    }
  } finally {
    dynamodb.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return runs;
}

/** `kill -9` of `npm start` while it fans a meeting out, and `npm start` again on the same state. */
export async function benchChaosKill(contacts: number): Promise<ChaosRun> {
  // `npm start` synthesizes into its state dir; a copy of an assembly built from the same
  // sources (and no context) keeps the synthesis out of the measured restart.
  const assembly = join(PROJECT_DIR, ".kp-local", "bench-chaos-kill-cdk.out");
  await ensureCloudAssembly(PROJECT_DIR, assembly);
  const dataDir = mkdtempSync(join(tmpdir(), "kp-bench-kill-"));
  cpSync(assembly, join(dataDir, "cdk.out"), { recursive: true });
  const running: ChildProcess[] = [];
  try {
    const first = npmStart(PROJECT_DIR, dataDir);
    running.push(first.process);
    const description = await first.ready;
    const domain = "kill.bench-chaos.example.org";
    const addresses = await importContactsInto(description, "DE", domain, contacts);
    await putMeeting(
      description.eventBridgeEndpoint,
      description.region,
      futureMeeting("bench-chaos-kill", "DE"),
    );
    const mailDir = join(dataDir, "mail");
    const count = () => (existsSync(mailDir) ? readdirSync(mailDir).length : 0);
    await waitUntil(() => count() >= Math.ceil(contacts / 5), 120_000);
    first.process.kill("SIGKILL");
    await exited(first.process);
    rmSync(join(dataDir, "runtime.json"));
    const restartedAt = Date.now();
    const second = npmStart(PROJECT_DIR, dataDir);
    running.push(second.process);
    const restarted = await second.ready;
    const queue = join(dataDir, "queue");
    let last = -1;
    await waitUntil(() => {
      const settled = readdirSync(queue).length === 0 && count() === last;
      last = count();
      return settled;
    }, 300_000);
    let clockAdvances = 0;
    while (
      clockAdvances < 3 &&
      tally(addresses, messagesByRecipient(mailDir, domain)).missing.length > 0
    ) {
      await advanceClock(restarted.eventBridgeEndpoint);
      clockAdvances += 1;
      last = -1;
      await waitUntil(() => {
        const settled = readdirSync(queue).length === 0 && count() === last;
        last = count();
        return settled;
      }, 300_000);
    }
    return outcome(
      `kill -9 of \`npm start\` after ${Math.ceil(contacts / 5)} emails, then \`npm start\` again (SES rate 14/s)`,
      addresses,
      deliveriesByRecipient(mailDir, domain),
      restartedAt,
      clockAdvances,
    );
  } finally {
    for (const child of running) {
      child.kill("SIGTERM");
      await exited(child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function chaosTable(runs: ChaosRun[]): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    "| fault | contacts | emails sent | duplicates | missing | without an email when the fault ended | time to heal | healed by |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...runs.map((run) => {
      const heal =
        run.healMs === undefined ? "–" : run.missing > 0 ? "not healed" : seconds(run.healMs);
      const by =
        run.missingAtEnd === 0
          ? "–"
          : run.clockAdvances === 0
            ? "retries"
            : `reconciler (clock +PT15M × ${run.clockAdvances})`;
      return `| ${run.fault} | ${run.contacts} | ${run.emails} | ${run.duplicates} | ${run.missing} | ${run.missingAtEnd} | ${heal} | ${by} |`;
    }),
  ].join("\n");
}
