import { randomUUID } from "node:crypto";
import type { LocalFunction, LocalRule, LocalSystem, LocalTarget } from "./cloud-assembly.js";
import type { DeadLetterQueues } from "./dead-letters.js";
import { matchesEventPattern } from "./event-pattern.js";
import type { InvocationResult, LambdaService } from "./lambda-service.js";

/** An event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface DeliveryReport {
  event: EventEnvelope;
  rule: string;
  functionName: string;
  attempt: number;
  result: InvocationResult;
}

export interface EventBusOptions {
  account: string;
  region: string;
  /** Waits before Lambda's retries of a failed asynchronous invocation (AWS: ~1 min, ~2 min). */
  retryDelaysMs: number[];
  onDelivery: (report: DeliveryReport) => void;
  onDeadLetter: (message: string) => void;
  onUnknownBus: (eventBusName: string) => void;
  /** The runtime's clock: events and schedules take their time from it. */
  now: () => Date;
}

/** "2023-03-16T09:00:00Z": EventBridge's `time`, to the second. */
export function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function busName(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === "") return "default";
  const arnMatch = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return arnMatch?.[1] ?? nameOrArn;
}

function applyInputPath(event: EventEnvelope, inputPath: string): unknown {
  // JSONPath as EventBridge takes it for InputPath: $ or $.a.b
  return inputPath
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)
    .reduce<unknown>(
      (value, key) =>
        typeof value === "object" && value !== null
          ? (value as Record<string, unknown>)[key]
          : undefined,
      event,
    );
}

/**
 * The bus: matches each event against the rules of its bus and invokes each matching target
 * asynchronously, with Lambda's retries for function errors and the dead-letter queues.
 */
export class LocalEventBus {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly functionsByArn: Map<string, LocalFunction>;
  deliveries = 0;

  constructor(
    private readonly system: LocalSystem,
    private readonly lambda: LambdaService,
    private readonly deadLetters: DeadLetterQueues,
    private readonly options: EventBusOptions,
  ) {
    this.functionsByArn = new Map(system.functions.map((fn) => [fn.arn, fn]));
  }

  knowsBus(nameOrArn: string | undefined): boolean {
    return this.system.eventBuses.includes(busName(nameOrArn));
  }

  envelope(entry: {
    source: string;
    detailType: string;
    detail: Record<string, unknown>;
    resources?: string[];
    time?: Date;
  }): EventEnvelope {
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.detailType,
      source: entry.source,
      account: this.options.account,
      time: eventTime(entry.time ?? this.options.now()),
      region: this.options.region,
      resources: entry.resources ?? [],
      detail: entry.detail,
    };
  }

  /** Routes an accepted event; returns at once, as PutEvents does. */
  publish(eventBusName: string | undefined, event: EventEnvelope): void {
    const bus = busName(eventBusName);
    if (!this.system.eventBuses.includes(bus)) {
      // AWS accepts the entry and drops it; say so locally.
      this.options.onUnknownBus(bus);
      return;
    }
    for (const rule of this.rulesOf(bus)) {
      if (rule.eventPattern === undefined || !matchesEventPattern(rule.eventPattern, event))
        continue;
      for (const target of rule.targets) {
        this.track(this.deliver(rule, target, event));
      }
    }
  }

  /** Fires every schedule rule now, as EventBridge does when its time comes. */
  fireSchedules(): void {
    for (const rule of this.system.rules) {
      if (rule.enabled && rule.scheduleMs !== undefined) this.fireSchedule(rule);
    }
  }

  /** Fires each schedule rule at its rate (in real time; `fireSchedules` fires them at once). */
  startSchedules(): () => void {
    const timers = this.system.rules
      .filter((rule) => rule.enabled && rule.scheduleMs !== undefined)
      .map((rule) => setInterval(() => this.fireSchedule(rule), rule.scheduleMs));
    return () => {
      for (const timer of timers) clearInterval(timer);
    };
  }

  private fireSchedule(rule: LocalRule): void {
    const event: EventEnvelope = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: this.options.account,
      time: eventTime(this.options.now()),
      region: this.options.region,
      resources: [rule.arn],
      detail: {},
    };
    for (const target of rule.targets) this.track(this.deliver(rule, target, event));
  }

  /** Resolves when every delivery, retry included, has finished. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private rulesOf(bus: string): LocalRule[] {
    return this.system.rules.filter((rule) => rule.enabled && rule.eventBusName === bus);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight += 1;
    void delivery.finally(() => {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    });
  }

  private async deliver(rule: LocalRule, target: LocalTarget, event: EventEnvelope): Promise<void> {
    const payload =
      target.input !== undefined
        ? JSON.parse(target.input)
        : target.inputPath !== undefined
          ? applyInputPath(event, target.inputPath)
          : event;
    const fn = this.functionsByArn.get(target.arn);
    if (fn === undefined) {
      // Delivery itself failed: the rule target's own dead-letter queue applies.
      await this.deadLetter(target.deadLetterQueueArn, payload, {
        ERROR_CODE: "RESOURCE_NOT_FOUND",
        ERROR_MESSAGE: `No local function for target ${target.arn}`,
        RULE_ARN: rule.name,
        TARGET_ARN: target.arn,
      });
      return;
    }
    await this.invokeAsynchronously(rule, fn, event, payload);
  }

  /** Lambda's asynchronous invocation: the first attempt, then MaximumRetryAttempts retries. */
  private async invokeAsynchronously(
    rule: LocalRule,
    fn: LocalFunction,
    event: EventEnvelope,
    payload: unknown,
  ): Promise<void> {
    const queuedAt = Date.now();
    let last: InvocationResult | undefined;
    for (let attempt = 1; attempt <= fn.maximumRetryAttempts + 1; attempt += 1) {
      if (attempt > 1) {
        const delay =
          this.options.retryDelaysMs[attempt - 2] ?? this.options.retryDelaysMs.at(-1) ?? 0;
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (Date.now() - queuedAt > fn.maximumEventAgeSeconds * 1000) break;
      }
      last = await this.lambda.invoke(fn, payload);
      this.deliveries += 1;
      this.options.onDelivery({
        event,
        rule: rule.name,
        functionName: fn.name,
        attempt,
        result: last,
      });
      if (last.ok) return;
    }
    if (last !== undefined && !last.ok) {
      await this.deadLetter(fn.deadLetterQueueArn, payload, {
        RequestID: last.requestId,
        ErrorCode: "200",
        ErrorMessage: `${last.error.errorType}: ${last.error.errorMessage}`.slice(0, 1024),
      });
    }
  }

  private async deadLetter(
    queueArn: string | undefined,
    payload: unknown,
    attributes: Record<string, string>,
  ): Promise<void> {
    if (queueArn === undefined) {
      this.options.onDeadLetter(`dropped (no dead-letter queue): ${JSON.stringify(attributes)}`);
      return;
    }
    const letter = await this.deadLetters.send(queueArn, payload, attributes);
    this.options.onDeadLetter(
      `sent to dead-letter queue ${letter.queueName}: ${Object.values(attributes).join(" ")}`,
    );
  }
}
