import {
  type ActiveFault,
  FAULTS,
  type FaultName,
  InvalidChaosRequest,
  parseChaosDuration,
  parseChaosRequest,
} from "../../local/chaos.js";
import type { ParsedArgs } from "../args.js";
import { resolveTarget, type TargetOptions, UsageError } from "../target.js";
import { type Io, table } from "./shared.js";

export const CHAOS_USAGE = `kp chaos ses-throttle --rate <0..1> [--for 30s]   that fraction of sends answered Throttling
kp chaos ses-fail [--for 2m]                        SES answers 500 InternalFailure, sends nothing
kp chaos ses-timeout [--after-send] [--for 30s]     no answer comes (--after-send: sent, then no answer)
kp chaos crash <function> [--next N] [--after ms]   the next N invocations die mid-way
kp chaos timeout <function> [--next N] [--after ms] the next N invocations time out after that long
kp chaos dynamodb-throttle --rate <0..1> [--for 30s] that fraction of DynamoDB requests throttled
kp chaos status                                     what is in force, and until when
kp chaos lift [fault] [function]                    lift every fault, or one kind`;

/** The control endpoint's request for a `kp chaos ...` command line. */
export type ChaosCall =
  | { method: "GET" }
  | { method: "DELETE"; query: string }
  | { method: "POST"; body: Record<string, unknown> };

function rateOf(flags: ParsedArgs["flags"]): number {
  const raw = flags.get("rate");
  const rate = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !(rate >= 0 && rate <= 1)) {
    throw new UsageError(`--rate takes a fraction from 0 to 1, such as 0.5 (not ${String(raw)})`);
  }
  return rate;
}

/** "--after 500" is milliseconds; "--after 2s" or "--after PT2S" a duration. */
function afterMsOf(raw: string | true | undefined): number {
  if (raw === undefined) return 0;
  if (raw === true) throw new UsageError("--after takes a time: 500 (ms), 2s or PT2S");
  if (/^\d+$/.test(raw)) return Number(raw);
  return parseChaosDuration(raw);
}

function countOf(raw: string | true | undefined): number {
  if (raw === undefined) return 1;
  const count = Number(raw);
  if (raw === true || !Number.isInteger(count) || count < 1) {
    throw new UsageError(`--next takes a number of invocations (1 or more), not ${String(raw)}`);
  }
  return count;
}

/** Reads `kp chaos <fault> ...` into the control endpoint's request, checked as it will be. */
export function chaosCall(args: ParsedArgs): ChaosCall {
  const [, action, subject, extra] = args.positionals;
  const { flags } = args;
  if (action === undefined || action === "status") return { method: "GET" };
  if (action === "lift") {
    if (subject !== undefined && !(FAULTS as readonly string[]).includes(subject)) {
      throw new UsageError(`kp chaos lift [${FAULTS.join(" | ")}] [function]`);
    }
    const query = new URLSearchParams();
    if (subject !== undefined) query.set("fault", subject);
    if (extra !== undefined) query.set("function", extra);
    return { method: "DELETE", query: query.toString() };
  }
  if (!(FAULTS as readonly string[]).includes(action)) {
    throw new UsageError(`Unknown fault "${action}". Usage:\n${CHAOS_USAGE}`);
  }
  const fault = action as FaultName;
  const window = flags.get("for");
  if (window === true) throw new UsageError("--for takes a duration: 30s, 2m or PT30S");
  const body: Record<string, unknown> = { fault };
  switch (fault) {
    case "ses-throttle":
    case "dynamodb-throttle":
      body.rate = rateOf(flags);
      break;
    case "ses-timeout":
      body.afterSend = flags.get("after-send") === true;
      break;
    case "crash":
    case "timeout":
      if (subject === undefined) {
        throw new UsageError(`kp chaos ${fault} <function> [--next N] [--after ms]`);
      }
      body.function = subject;
      body.next = countOf(flags.get("next"));
      body.after = afterMsOf(flags.get("after"));
      break;
    default:
      break;
  }
  if (window !== undefined && fault !== "crash" && fault !== "timeout") body.for = window;
  try {
    parseChaosRequest(body);
  } catch (error) {
    if (error instanceof InvalidChaosRequest) throw new UsageError(error.message);
    throw error;
  }
  return { method: "POST", body };
}

/** One line per fault in force: what, how much, until when, how many it hit. */
export function describeFaults(faults: ActiveFault[]): string {
  if (faults.length === 0) return "No fault in force.";
  return table([
    ["FAULT", "TARGET", "HOW", "UNTIL", "HITS"],
    ...faults.map((fault) => [
      fault.fault,
      fault.function ?? (fault.fault.startsWith("ses-") ? "SES" : "DynamoDB"),
      fault.rate !== undefined
        ? `rate ${fault.rate}`
        : fault.remaining !== undefined
          ? `next ${fault.remaining}, after ${fault.afterMs ?? 0} ms`
          : fault.afterSend
            ? "after sending"
            : "every request",
      fault.until ?? (fault.remaining !== undefined ? "-" : "until lifted"),
      String(fault.hits),
    ]),
  ]);
}

export async function chaos(
  args: ParsedArgs,
  options: TargetOptions,
  io: Io,
  json: boolean,
): Promise<number> {
  if (options.aws) throw new UsageError("kp chaos injects faults into the local runtime only");
  const call = chaosCall(args);
  const endpoint = `${resolveTarget(options).eventBridgeEndpointUrl}/_kp/chaos`;
  const response = await fetch(call.method === "DELETE" ? `${endpoint}?${call.query}` : endpoint, {
    method: call.method,
    ...(call.method === "POST"
      ? { body: JSON.stringify(call.body), headers: { "content-type": "application/json" } }
      : {}),
  });
  const answer = (await response.json()) as {
    injected?: ActiveFault;
    lifted?: ActiveFault[];
    active?: ActiveFault[];
    message?: string;
  };
  if (!response.ok) {
    io.err(answer.message ?? `The chaos endpoint answered ${response.status}`);
    return 1;
  }
  if (json) {
    io.out(JSON.stringify(answer));
    return 0;
  }
  if (answer.injected !== undefined) io.out(`Injected ${answer.injected.fault}.`);
  if (answer.lifted !== undefined) {
    io.out(
      answer.lifted.length === 0
        ? "Nothing to lift."
        : `Lifted: ${answer.lifted.map((fault) => `${fault.fault}${fault.function === undefined ? "" : ` (${fault.function})`}, ${fault.hits} hit(s)`).join("; ")}`,
    );
  }
  io.out(describeFaults(answer.active ?? []));
  return 0;
}
