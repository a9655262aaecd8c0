import { randomUUID } from "node:crypto";
import type { LocalArchives } from "./archive.js";
import type { LocalFunction, LocalRule, LocalSystem, LocalTarget } from "./cloud-assembly.js";
import type { DeadLetterQueues } from "./dead-letters.js";
import { matchesEventPattern } from "./event-pattern.js";
import { type BatchReport, EventSourcePollers } from "./event-source-mapping.js";
import type {
  InvocationJournal,
  JournalledInvocation,
  ScheduleJournal,
} from "./invocation-journal.js";
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
  /** Set on an event an archive's replay put back on the bus. */
  "replay-name"?: string;
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
  /** The asynchronous invocation queue on disk: what was accepted survives a kill. */
  journal: InvocationJournal;
  /** When each schedule last fired: a restart fires what became due while it was down. */
  schedules: ScheduleJournal;
  /** The bus's archives (kept for replay); none: nothing is archived. */
  archives?: LocalArchives;
  /** Each batch a queue's event source mapping hands to its function. */
  onBatch?: (report: BatchReport) => void;
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
 * asynchronously, with Lambda's retries for function errors and the dead-letter queues. Each
 * accepted invocation is journalled before `publish` returns and until it is done, so a restart
 * resumes it (`resume`), with the attempts already made counted.
 */
export class LocalEventBus {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly functionsByArn: Map<string, LocalFunction>;
  private stopped = false;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** The queues that are rule targets and that a function reads in batches. */
  private readonly pollers: EventSourcePollers;
  deliveries = 0;

  constructor(
    private readonly system: LocalSystem,
    private readonly lambda: LambdaService,
    private readonly deadLetters: DeadLetterQueues,
    private readonly options: EventBusOptions,
  ) {
    this.functionsByArn = new Map(system.functions.map((fn) => [fn.arn, fn]));
    this.pollers = new EventSourcePollers(system, {
      lambda,
      deadLetters,
      journal: options.journal,
      retryDelaysMs: options.retryDelaysMs,
      track: (done) => this.track(done),
      onVisible: () => this.handOverIfOnlyBatchesWait(),
      onBatch: (report) => {
        this.deliveries += 1;
        options.onBatch?.(report);
      },
      onDeadLetter: options.onDeadLetter,
      isStopped: () => this.stopped,
    });
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

  /** The bus's archives, for StartReplay and DescribeReplay. */
  get archives(): LocalArchives | undefined {
    return this.options.archives;
  }

  /** The dead-letter queues its targets and functions send to. */
  get deadLetterQueues(): DeadLetterQueues {
    return this.deadLetters;
  }

  /**
   * Sends a letter back to the queue it came from (its DeadLetterQueueSourceArn), where the
   * function reads it again, then deletes it; false when no such letter is waiting.
   */
  async moveBack(messageId: string): Promise<boolean> {
    const letter = (await this.deadLetters.list()).find(
      (candidate) => candidate.messageId === messageId,
    );
    if (letter === undefined) return false;
    const queueArn = letter.attributes.DeadLetterQueueSourceArn;
    if (queueArn === undefined || !this.pollers.reads(queueArn)) {
      throw new Error(`Dead letter ${messageId} names no queue a function reads`);
    }
    this.sendMessage("kp redrive", queueArn, JSON.parse(letter.body));
    return this.deadLetters.remove(messageId);
  }

  /** SendMessage to a queue a function reads (journalled, then received in a batch). */
  private sendMessage(rule: string, queueArn: string, body: unknown): void {
    const now = Date.now();
    this.pollers.send({
      id: randomUUID(),
      rule,
      targetArn: queueArn,
      event: body,
      payload: body,
      attempts: 0,
      dueAt: now,
      queuedAt: now,
    });
  }

  /**
   * Routes an accepted event (archived first, when an archive of the bus keeps it); returns at
   * once, as PutEvents does, once every invocation it causes is journalled. A replay names the
   * rules it is for (`ruleArns`); none: every rule of the bus.
   */
  publish(eventBusName: string | undefined, event: EventEnvelope, ruleArns?: string[]): void {
    const bus = busName(eventBusName);
    if (!this.system.eventBuses.includes(bus)) {
      // AWS accepts the entry and drops it; say so locally.
      this.options.onUnknownBus(bus);
      return;
    }
    this.options.archives?.record(bus, event);
    for (const rule of this.rulesOf(bus)) {
      if (ruleArns !== undefined && ruleArns.length > 0 && !ruleArns.includes(rule.arn)) continue;
      if (rule.eventPattern === undefined || !matchesEventPattern(rule.eventPattern, event))
        continue;
      for (const target of rule.targets) this.accept(rule, target, event);
    }
  }

  /** Resumes every invocation journalled by an earlier run (after a stop or a kill). */
  resume(): number {
    const journalled = this.options.journal.list();
    for (const invocation of journalled) {
      if (this.pollers.reads(invocation.targetArn)) this.pollers.resume(invocation);
      else this.track(this.run(invocation));
    }
    return journalled.length;
  }

  /** Fires every schedule rule now, as EventBridge does when its time comes. */
  fireSchedules(): void {
    for (const rule of this.system.rules) {
      if (rule.enabled && rule.scheduleMs !== undefined) this.fireSchedule(rule);
    }
  }

  /**
   * Fires each schedule rule at its rate (in real time; `fireSchedules` fires them at once). A
   * rule whose time came while the runtime was down fires at start, once, as EventBridge does
   * not make up for every period missed.
   */
  startSchedules(): () => void {
    const timers = new Map<string, NodeJS.Timeout>();
    const arm = (rule: LocalRule, delayMs: number) => {
      timers.set(
        rule.arn,
        setTimeout(
          () => {
            this.fireSchedule(rule);
            arm(rule, rule.scheduleMs ?? 0);
          },
          Math.max(0, delayMs),
        ),
      );
    };
    for (const rule of this.system.rules) {
      if (!rule.enabled || rule.scheduleMs === undefined) continue;
      const last = this.options.schedules.get(rule.name);
      const now = this.options.now().getTime();
      if (last === undefined) this.options.schedules.fired(rule.name, now);
      arm(rule, last === undefined ? rule.scheduleMs : last + rule.scheduleMs - now);
    }
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }

  private fireSchedule(rule: LocalRule): void {
    const now = this.options.now();
    const event: EventEnvelope = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: this.options.account,
      time: eventTime(now),
      region: this.options.region,
      resources: [rule.arn],
      detail: {},
    };
    for (const target of rule.targets) this.accept(rule, target, event);
    this.options.schedules.fired(rule.name, now.getTime());
  }

  /**
   * Resolves when every delivery, retry included, has finished, and every queued message is
   * deleted or dead-lettered. Once nothing is under way but messages waiting for their batching
   * window, a waiter has them handed over at once: nothing else can join their batch.
   */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.handOverIfOnlyBatchesWait();
    return idle;
  }

  private handOverIfOnlyBatchesWait(): void {
    if (this.idleWaiters.length === 0 || this.inFlight === 0) return;
    if (this.pollers.waiting() === this.inFlight) this.pollers.flush();
  }

  /** Invocations accepted and not yet done (succeeded or dead-lettered). */
  pending(): number {
    return this.inFlight;
  }

  /**
   * Stops handing out invocations; what is under way is left in the journal, as it is, for the
   * next start (an invocation cut short by the stop is not counted as an attempt).
   */
  stop(): void {
    this.stopped = true;
    this.pollers.stop();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private rulesOf(bus: string): LocalRule[] {
    return this.system.rules.filter((rule) => rule.enabled && rule.eventBusName === bus);
  }

  private accept(rule: LocalRule, target: LocalTarget, event: EventEnvelope): void {
    if (this.stopped) return;
    if (
      target.input === undefined &&
      target.inputPath === undefined &&
      this.pollers.reads(target.arn)
    ) {
      // SendMessage to a queue a function reads: the body is the event.
      this.sendMessage(rule.name, target.arn, event);
      return;
    }
    const payload =
      target.input !== undefined
        ? JSON.parse(target.input)
        : target.inputPath !== undefined
          ? applyInputPath(event, target.inputPath)
          : event;
    const now = Date.now();
    const invocation: JournalledInvocation = {
      id: randomUUID(),
      rule: rule.name,
      targetArn: target.arn,
      event,
      payload,
      attempts: 0,
      dueAt: now,
      queuedAt: now,
    };
    this.options.journal.record(invocation);
    this.track(this.run(invocation));
  }

  private track(delivery: Promise<void>): void {
    this.inFlight += 1;
    void delivery
      .catch((error: unknown) => {
        // A delivery that cannot even be recorded stays in the journal for the next start.
        this.options.onDeadLetter(
          `delivery interrupted, left in the journal: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        this.inFlight -= 1;
        if (this.inFlight === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        } else {
          this.handOverIfOnlyBatchesWait();
        }
      });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = {
        resolve,
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
      };
      this.waits.add(wait);
    });
  }

  /**
   * Lambda's asynchronous invocation of one journalled event: the attempts left of the first
   * and MaximumRetryAttempts retries, then the function's dead-letter queue.
   */
  private async run(invocation: JournalledInvocation): Promise<void> {
    const rule = this.system.rules.find((candidate) => candidate.name === invocation.rule);
    const target = rule?.targets.find((candidate) => candidate.arn === invocation.targetArn);
    const fn = this.functionsByArn.get(invocation.targetArn);
    if (fn === undefined) {
      // Delivery itself failed: the rule target's own dead-letter queue applies.
      await this.deadLetter(target?.deadLetterQueueArn, invocation.payload, {
        ERROR_CODE: "RESOURCE_NOT_FOUND",
        ERROR_MESSAGE: `No local function for target ${invocation.targetArn}`,
        RULE_ARN: invocation.rule,
        TARGET_ARN: invocation.targetArn,
      });
      this.options.journal.remove(invocation.id);
      return;
    }
    const event = invocation.event as EventEnvelope;
    let current = invocation;
    while (current.attempts < fn.maximumRetryAttempts + 1) {
      await this.sleep(current.dueAt - Date.now());
      if (this.stopped) return;
      if (
        current.attempts > 0 &&
        Date.now() - current.queuedAt > fn.maximumEventAgeSeconds * 1000
      ) {
        break;
      }
      const result = await this.lambda.invoke(fn, current.payload);
      if (this.stopped) return;
      const attempt = current.attempts + 1;
      this.deliveries += 1;
      this.options.onDelivery({
        event,
        rule: invocation.rule,
        functionName: fn.name,
        attempt,
        result,
      });
      if (result.ok) {
        this.options.journal.remove(invocation.id);
        return;
      }
      const delay =
        this.options.retryDelaysMs[attempt - 1] ?? this.options.retryDelaysMs.at(-1) ?? 0;
      current = {
        ...current,
        attempts: attempt,
        dueAt: Date.now() + delay,
        lastError: {
          requestId: result.requestId,
          message: `${result.error.errorType}: ${result.error.errorMessage}`,
        },
      };
      if (attempt < fn.maximumRetryAttempts + 1) this.options.journal.record(current);
    }
    await this.deadLetter(fn.deadLetterQueueArn, current.payload, {
      RequestID: current.lastError?.requestId ?? "",
      ErrorCode: "200",
      ErrorMessage: (current.lastError?.message ?? "Event age exceeded").slice(0, 1024),
    });
    this.options.journal.remove(invocation.id);
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
