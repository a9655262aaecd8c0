import { z } from "zod";
import { durationMs } from "../shared/domain/time.js";

/** The faults `kp chaos` injects into the running local system. */
export const FAULTS = [
  "ses-throttle",
  "ses-fail",
  "ses-timeout",
  "crash",
  "timeout",
  "dynamodb-throttle",
] as const;
export type FaultName = (typeof FAULTS)[number];

export class InvalidChaosRequest extends Error {
  override name = "InvalidChaosRequest";
}

/** "30s", "2m", "1h", "500ms" or an ISO 8601 duration ("PT30S") → milliseconds (> 0). */
export function parseChaosDuration(text: string): number {
  const short = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  let ms: number;
  if (short !== null) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[short[2] as "ms" | "s" | "m" | "h"];
    ms = Number(short[1]) * unit;
  } else {
    try {
      ms = durationMs(text.trim());
    } catch {
      throw new InvalidChaosRequest(
        `${JSON.stringify(text)} is not a duration: write 30s, 2m, 1h, 500ms or PT30S`,
      );
    }
  }
  if (!(ms > 0)) throw new InvalidChaosRequest(`${text} is not a time ahead`);
  return ms;
}

const rate = z.number().min(0).max(1);
const window = z.string().optional();
const functionFault = {
  function: z.string().min(1),
  next: z.number().int().positive().default(1),
  after: z.number().int().min(0).default(0),
};

/** What POST /_kp/chaos takes (the CLI builds it from its flags). */
export const ChaosRequest = z.discriminatedUnion("fault", [
  z.object({ fault: z.literal("ses-throttle"), rate, for: window }),
  z.object({ fault: z.literal("ses-fail"), for: window }),
  z.object({
    fault: z.literal("ses-timeout"),
    afterSend: z.boolean().default(false),
    for: window,
  }),
  z.object({ fault: z.literal("crash"), ...functionFault }),
  z.object({ fault: z.literal("timeout"), ...functionFault }),
  z.object({ fault: z.literal("dynamodb-throttle"), rate, for: window }),
]);
export type ChaosRequest = z.infer<typeof ChaosRequest>;

export function parseChaosRequest(body: unknown): ChaosRequest {
  const parsed = ChaosRequest.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new InvalidChaosRequest(`Not a fault kp chaos knows: ${issues.join("; ")}`);
  }
  if (parsed.data.fault !== "crash" && parsed.data.fault !== "timeout") {
    // Checked now, so a typo is refused rather than making a fault that never ends.
    if (parsed.data.for !== undefined) parseChaosDuration(parsed.data.for);
  }
  return parsed.data;
}

/** A fault in force, as `kp chaos status` shows it. */
export interface ActiveFault {
  fault: FaultName;
  /** The fraction of requests hit (throttling). */
  rate?: number;
  /** When the fault lifts by itself (ISO time); absent: until `kp chaos lift`. */
  until?: string;
  /** ses-timeout: the message is stored and sent, only the answer never comes. */
  afterSend?: boolean;
  /** crash / timeout: the function, the invocations still to hit and after how long. */
  function?: string;
  remaining?: number;
  afterMs?: number;
  /** Requests (or invocations) the fault has hit so far. */
  hits: number;
}

export type SesDecision = "pass" | "throttle" | "fail" | "hang" | "hang-after-send";
export type FunctionFault = { kind: "crash" | "timeout"; afterMs: number };

/** A request kept unanswered: the SES process's, seen from here (it is dropped on release). */
export interface HeldRequest {
  destroy(): void;
  on(event: "close", listener: () => void): unknown;
}

interface Timed {
  fault: ActiveFault;
  timer?: NodeJS.Timeout;
}

/**
 * The faults in force in the local runtime and the decisions they make: the SES front, the
 * DynamoDB front and the Lambda service ask before each request or invocation. The functions'
 * code is never touched: a fault is what the service around them does.
 */
export class Chaos {
  private ses: Timed | undefined;
  private dynamodb: Timed | undefined;
  private readonly functions = new Map<string, ActiveFault>();
  private readonly held = new Set<HeldRequest>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  inject(request: ChaosRequest): ActiveFault {
    switch (request.fault) {
      case "crash":
      case "timeout": {
        const fault: ActiveFault = {
          fault: request.fault,
          function: request.function,
          remaining: request.next,
          afterMs: request.after,
          hits: 0,
        };
        this.functions.set(request.function, fault);
        return fault;
      }
      case "dynamodb-throttle":
        this.clear(this.dynamodb);
        this.dynamodb = this.timed(
          { fault: request.fault, rate: request.rate, hits: 0 },
          request.for,
        );
        return this.dynamodb.fault;
      default: {
        // One SES fault at a time: a new one replaces the one in force.
        this.lift("ses");
        const fault: ActiveFault = { fault: request.fault, hits: 0 };
        if (request.fault === "ses-throttle") fault.rate = request.rate;
        if (request.fault === "ses-timeout") fault.afterSend = request.afterSend;
        this.ses = this.timed(fault, request.for);
        return fault;
      }
    }
  }

  /** Lifts every fault, or those of one kind ("ses" lifts any SES fault); answers what it lifted. */
  lift(which?: FaultName | "ses", functionName?: string): ActiveFault[] {
    const lifted: ActiveFault[] = [];
    const matches = (fault: ActiveFault) =>
      which === undefined ||
      which === fault.fault ||
      (which === "ses" && fault.fault.startsWith("ses-"));
    if (this.ses !== undefined && matches(this.ses.fault)) {
      lifted.push(this.ses.fault);
      this.clear(this.ses);
      this.ses = undefined;
      this.releaseHeld();
    }
    if (this.dynamodb !== undefined && matches(this.dynamodb.fault)) {
      lifted.push(this.dynamodb.fault);
      this.clear(this.dynamodb);
      this.dynamodb = undefined;
    }
    for (const [name, fault] of this.functions) {
      if (matches(fault) && (functionName === undefined || functionName === name)) {
        lifted.push(fault);
        this.functions.delete(name);
      }
    }
    return lifted;
  }

  status(): ActiveFault[] {
    return [
      ...(this.ses === undefined ? [] : [this.ses.fault]),
      ...(this.dynamodb === undefined ? [] : [this.dynamodb.fault]),
      ...this.functions.values(),
    ].map((fault) => ({ ...fault }));
  }

  /** What the SES front does with one send request. */
  sesDecision(): SesDecision {
    const fault = this.ses?.fault;
    if (fault === undefined) return "pass";
    const decision: SesDecision =
      fault.fault === "ses-throttle"
        ? this.random() < (fault.rate ?? 0)
          ? "throttle"
          : "pass"
        : fault.fault === "ses-fail"
          ? "fail"
          : fault.afterSend
            ? "hang-after-send"
            : "hang";
    if (decision !== "pass") fault.hits += 1;
    return decision;
  }

  /** Whether the DynamoDB front answers this request as throttled. */
  dynamodbThrottles(): boolean {
    const fault = this.dynamodb?.fault;
    if (fault === undefined || this.random() >= (fault.rate ?? 0)) return false;
    fault.hits += 1;
    return true;
  }

  /** The fault, if any, of this invocation of the function (one of its next N). */
  functionFault(functionName: string): FunctionFault | undefined {
    const fault = this.functions.get(functionName);
    if (fault === undefined) return undefined;
    fault.hits += 1;
    fault.remaining = (fault.remaining ?? 1) - 1;
    if (fault.remaining <= 0) this.functions.delete(functionName);
    return { kind: fault.fault === "crash" ? "crash" : "timeout", afterMs: fault.afterMs ?? 0 };
  }

  /**
   * Keeps a request unanswered (SES timing out) until the fault lifts; then its connection is
   * dropped, as the client's own timeout would end it.
   */
  hold(response: HeldRequest): void {
    this.held.add(response);
    response.on("close", () => this.held.delete(response));
  }

  /** Lifts everything and drops held requests (the runtime stops). */
  stop(): void {
    this.lift();
  }

  private releaseHeld(): void {
    for (const response of this.held) response.destroy();
    this.held.clear();
  }

  private timed(fault: ActiveFault, window: string | undefined): Timed {
    if (window === undefined) return { fault };
    const ms = parseChaosDuration(window);
    fault.until = new Date(this.now() + ms).toISOString();
    const timer = setTimeout(() => this.lift(fault.fault), ms);
    timer.unref();
    return { fault, timer };
  }

  private clear(timed: Timed | undefined): void {
    if (timed?.timer !== undefined) clearTimeout(timed.timer);
  }
}
