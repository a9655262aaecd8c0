import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { localDynamoDbClient } from "../local/dynamodb.js";
import { type LocalRuntime, startLocalRuntime } from "../local/runtime.js";
import { DynamoContactRepository } from "../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../shared/adapters/dynamodb-client.js";
import { DynamoNoticeRepository } from "../shared/adapters/notice-repository.js";
import { DEFAULT_EVENT_BUS_NAME, MeetingScheduled, SOURCE } from "../shared/contract/index.js";
import { memberStates } from "../shared/reference/index.js";
import { NO_SENDER_CPU, type SenderCpu, senderCpuPerEmail, senderCpuText } from "./sender-cpu.js";

const PROJECT_DIR = resolve(import.meta.dirname, "..");

export interface MeetingRun {
  contacts: number;
  rate: number;
  seconds: number;
  emails: number;
  sesRequests: number;
  dynamoRequestsPerRecipient: number;
  dynamoByOperation: Record<string, number>;
  /** DynamoDB write units per recipient: the table's and its indexes'. */
  writeUnitsPerRecipient: { table: number; index: number };
  invocationsByFunction: Record<string, number>;
  /** The sender's CPU per email: `senderCpuPerEmail`, in this process once the runtime stopped. */
  senderCpuMsPerEmail: SenderCpu;
  /** Messages a second the local SES takes alone (the same message, 8 at a time), same run. */
  sesAloneRate: number;
  /** Peak resident memory of the runtime's process and its children (dynalite, SES). */
  peakRssMb: number;
  /** CPU time per email sent (ms) from PutEvents to idle, by process (load does not change it). */
  cpuMsPerEmail: { runtime: number; dynamodb: number; ses: number };
  /** Whether the write units were metered (two extra reads per write; see local/write-units.ts). */
  metered: boolean;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A child process's CPU time so far (ms), from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are the 14th and 15th fields; the split drops the first two.
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1000;
}

/** A child process's resident memory (bytes), from /proc; 0 elsewhere. */
function processRss(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return 0;
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(line?.[1] ?? 0) * 1024;
}

/** The local SES alone: `count` copies of one stored message, 8 in flight, no events. */
async function sesAloneRate(runtime: LocalRuntime, count: number): Promise<number> {
  const stored = readdirSync(runtime.mailDir).find((name) => name.endsWith(".eml"));
  if (stored === undefined) return Number.NaN;
  const raw = readFileSync(join(runtime.mailDir, stored));
  const ses = new SESClient({
    endpoint: runtime.description.sesEndpoint,
    region: runtime.description.region,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  let left = count;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (; left > 0; left -= 1) {
        await ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  ses.destroy();
  return count / seconds;
}

async function seedContacts(runtime: LocalRuntime, count: number): Promise<void> {
  const client = localDynamoDbClient(
    runtime.description.dynamodbEndpoint,
    runtime.description.region,
  );
  const contacts = new DynamoContactRepository(
    createDocumentClient(client),
    Object.values(runtime.description.tables)[0] ?? "",
  );
  const ids = Array.from({ length: count }, (_, index) => index);
  const workers = Array.from({ length: 16 }, async () => {
    for (let index = ids.shift(); index !== undefined; index = ids.shift()) {
      const state = memberStates[index % memberStates.length];
      if (state === undefined) continue;
      await contacts.save({
        contactId: `bench-${index}`,
        name: `Delegate ${index}`,
        email: `delegate-${index}@example.org`,
        memberState: state.code,
        roles: ["focal-point"],
        language: (["en", "fr", "ar"] as const)[index % 3] ?? "en",
        timeZone: state.timeZone,
        reminders: true,
        updatedAt: "2026-01-01T00:00:00Z",
      });
    }
  });
  await Promise.all(workers);
  client.destroy();
}

/** One Meeting Scheduled to `contacts` contacts, from PutEvents to the last email stored. */
export async function benchMeeting(
  contacts: number,
  rate: number,
  meter = true,
): Promise<MeetingRun> {
  const dataDir = mkdtempSync(join(tmpdir(), "kp-bench-meeting-"));
  const runtime = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    assemblyDir: join(PROJECT_DIR, ".kp-local", `bench-cdk.out-rate-${rate}`),
    context: { sesMaxSendRate: String(rate) },
    ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
    meterWrites: meter,
  });
  try {
    await seedContacts(runtime, contacts);
    runtime.requests.dynamodb = {};
    runtime.requests.ses = 0;
    runtime.writeUnits?.reset();
    runtime.lambda.invocations.clear();
    const rss = () =>
      process.memoryUsage.rss() +
      processRss(runtime.dynamodb.pid()) +
      processRss(runtime.ses.pid());
    let peakRss = rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rss());
    }, 50);
    const cpuBefore = {
      runtime: process.cpuUsage(),
      dynamodb: processCpuMs(runtime.dynamodb.pid()),
      ses: processCpuMs(runtime.ses.pid()),
    };
    const client = new EventBridgeClient({
      endpoint: runtime.description.eventBridgeEndpoint,
      region: runtime.description.region,
      credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    });
    const started = performance.now();
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: DEFAULT_EVENT_BUS_NAME,
            Source: SOURCE,
            DetailType: MeetingScheduled.detailType,
            Detail: JSON.stringify({
              meetingId: "bench-meeting",
              kind: "steering-committee-meeting",
              title: "Benchmark Steering Committee Meeting",
              startsAt: "2030-03-15T14:00",
              endsAt: "2030-03-15T18:00",
              timeZone: "Europe/Berlin",
              venue: { city: "Berlin", country: "DE" },
              audience: "all",
            }),
          },
        ],
      }),
    );
    await runtime.idle();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const runtimeCpu = process.cpuUsage(cpuBefore.runtime);
    const cpuMs = {
      runtime: (runtimeCpu.user + runtimeCpu.system) / 1000,
      dynamodb: processCpuMs(runtime.dynamodb.pid()) - cpuBefore.dynamodb,
      ses: processCpuMs(runtime.ses.pid()) - cpuBefore.ses,
    };
    client.destroy();
    const invocationsByFunction = Object.fromEntries(runtime.lambda.invocations);
    const writeUnits = {
      table: runtime.writeUnits?.table ?? 0,
      index: runtime.writeUnits?.index ?? 0,
    };
    const sesRequests = runtime.requests.ses;
    const dynamo = localDynamoDbClient(
      runtime.description.dynamodbEndpoint,
      runtime.description.region,
    );
    const notices = new DynamoNoticeRepository(
      createDocumentClient(dynamo),
      Object.values(runtime.description.tables)[0] ?? "",
    );
    const sent = (await notices.listRecords("MEETING#bench-meeting")).filter(
      (record) => record.status === "sent",
    ).length;
    dynamo.destroy();
    const dynamoByOperation = { ...runtime.requests.dynamodb };
    const aloneRate = await sesAloneRate(runtime, Math.min(contacts, 2_000));
    const dynamoTotal = Object.values(runtime.requests.dynamodb).reduce(
      (sum, count) => sum + count,
      0,
    );
    return {
      contacts,
      rate,
      seconds,
      emails: sent,
      sesRequests,
      dynamoRequestsPerRecipient: dynamoTotal / contacts,
      dynamoByOperation,
      writeUnitsPerRecipient: {
        table: writeUnits.table / contacts,
        index: writeUnits.index / contacts,
      },
      invocationsByFunction,
      senderCpuMsPerEmail: NO_SENDER_CPU,
      sesAloneRate: aloneRate,
      peakRssMb: peakRss / 2 ** 20,
      cpuMsPerEmail: {
        runtime: cpuMs.runtime / sent,
        dynamodb: cpuMs.dynamodb / sent,
        ses: cpuMs.ses / sent,
      },
      metered: meter,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One Meeting Scheduled, then the sender's CPU per email for as many recipients (1,000 at most). */
export async function benchMeetingWithCpu(
  contacts: number,
  rate: number,
  meter = true,
): Promise<MeetingRun> {
  const run = await benchMeeting(contacts, rate, meter);
  return { ...run, senderCpuMsPerEmail: await senderCpuPerEmail(Math.min(contacts, 1_000)) };
}

const perRecipient = (run: MeetingRun, fn: string) =>
  Object.entries(run.invocationsByFunction)
    .filter(([name]) => name.includes(fn))
    .reduce((sum, [, count]) => sum + count, 0) / run.contacts;

export function meetingTable(runs: MeetingRun[]): string {
  return [
    "| contacts | SES rate | PutEvents → last email | emails sent | throughput | of the set rate | SES alone (same run, same message) | of SES alone | DynamoDB requests / recipient | write units / recipient (table + index) | invocations / recipient (record-delivery; all) | sender CPU / email (in-process) | peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...runs.map((run) => {
      const throughput = run.emails / run.seconds;
      const units = run.writeUnitsPerRecipient;
      const all = Object.values(run.invocationsByFunction).reduce((sum, n) => sum + n, 0);
      return `| ${run.contacts} | ${run.rate === 0 ? "unlimited" : `${run.rate}/s`} | ${run.seconds.toFixed(1)} s | ${run.emails} | ${throughput.toFixed(0)}/s | ${run.rate === 0 ? "–" : `${((throughput / run.rate) * 100).toFixed(0)} %`} | ${run.sesAloneRate.toFixed(0)}/s | ${((throughput / run.sesAloneRate) * 100).toFixed(0)} % | ${run.dynamoRequestsPerRecipient.toFixed(2)} | ${run.metered ? `${(units.table + units.index).toFixed(2)} (${units.table.toFixed(2)} + ${units.index.toFixed(2)})` : "not metered"} | ${perRecipient(run, "record-delivery").toFixed(3)}; ${(all / run.contacts).toFixed(3)} | ${senderCpuText(run.senderCpuMsPerEmail)} | ${run.peakRssMb.toFixed(0)} MB |`;
    }),
  ].join("\n");
}

/** Each function's bundle, and its module init (cold start) in the local runtime, next to bare node. */
export async function benchFunctions(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), "kp-bench-init-"));
  const runtime = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    assemblyDir: join(PROJECT_DIR, ".kp-local", "bench-cdk.out-rate-14"),
    context: { sesMaxSendRate: "14" },
    ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
  });
  const rows: string[] = [];
  try {
    for (const fn of runtime.system.functions) {
      const inits: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        await runtime.lambda.stop();
        await runtime.lambda.invoke(fn, { warmup: true });
        inits.push(runtime.lambda.initDurations.get(fn.name)?.at(-1) ?? Number.NaN);
      }
      inits.sort((a, b) => a - b);
      rows.push(
        `| ${fn.name} | ${(statSync(fn.codeFile).size / 1024).toFixed(0)} KiB | ${(inits[1] ?? Number.NaN).toFixed(0)} ms |`,
      );
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bare: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const started = performance.now();
    execFileSync(process.execPath, ["-e", "0"]);
    bare.push(performance.now() - started);
  }
  bare.sort((a, b) => a - b);
  return [
    "| function | bundle (index.mjs, minified, SDK included) | module init (median of 3 cold starts) |",
    "| --- | --- | --- |",
    ...rows,
    `| (bare \`node -e 0\`, whole process start) | – | ${(bare[2] ?? Number.NaN).toFixed(0)} ms |`,
  ].join("\n");
}
