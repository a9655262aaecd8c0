import { createHash } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import type {
  LocalEventSourceMapping,
  LocalFunction,
  LocalQueue,
  LocalSystem,
} from "./cloud-assembly.js";
import type { DeadLetterQueues } from "./dead-letters.js";
import type { InvocationJournal, JournalledInvocation } from "./invocation-journal.js";
import type { LambdaService } from "./lambda-service.js";

/** One batch handed to a function, for the log. */
export interface BatchReport {
  functionName: string;
  queueName: string;
  records: number;
  /** Records that failed (reported in batchItemFailures, or all when the invocation failed). */
  failed: number;
  error?: string;
}

export interface EventSourcePollerOptions {
  lambda: LambdaService;
  deadLetters: DeadLetterQueues;
  /** The runtime's queue on disk: a message is journalled from its send until its deletion. */
  journal: InvocationJournal;
  /**
   * How long a failed record stays invisible before it is received again. In AWS it is the
   * queue's visibility timeout (minutes); locally the runtime's retry delays, so tests stay quick.
   */
  retryDelaysMs: number[];
  /** Counts a message as under way until it is deleted or dead-lettered (the bus's idle()). */
  track: (done: Promise<void>) => void;
  /** Told each time a message becomes visible, so an idle() waiter can hand out what waits. */
  onVisible: () => void;
  onBatch: (report: BatchReport) => void;
  onDeadLetter: (message: string) => void;
  isStopped: () => boolean;
}

interface Poller {
  mapping: LocalEventSourceMapping;
  fn: LocalFunction;
  queue: LocalQueue | undefined;
  /** Visible messages, oldest first, waiting for a full batch or the batching window. */
  visible: JournalledInvocation[];
  window?: NodeJS.Timeout;
}

/**
 * Lambda's event source mappings for SQS: a rule's target queue (journalled like every accepted
 * invocation, so a kill loses nothing) read in batches of `BatchSize`, handed over when full or
 * when `MaximumBatchingWindowInSeconds` has passed since the first message of the batch. What the
 * function lists in `batchItemFailures` (or the whole batch, if the invocation failed) is received
 * again later; the rest is deleted. A message received `maxReceiveCount` times moves to the
 * queue's dead-letter queue.
 */
export class EventSourcePollers {
  private readonly pollers = new Map<string, Poller>();
  private readonly settle = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    system: LocalSystem,
    private readonly options: EventSourcePollerOptions,
  ) {
    for (const mapping of system.eventSourceMappings) {
      const fn = system.functions.find((candidate) => candidate.arn === mapping.functionArn);
      if (fn === undefined || !mapping.enabled) continue;
      this.pollers.set(mapping.queueArn, {
        mapping,
        fn,
        queue: system.queues.find((queue) => queue.arn === mapping.queueArn),
        visible: [],
      });
    }
  }

  /** Whether a function reads this queue (a rule's target ARN). */
  reads(queueArn: string): boolean {
    return this.pollers.has(queueArn);
  }

  /** SendMessage: journalled before it returns, then received in a batch. */
  send(message: JournalledInvocation): void {
    this.options.journal.record(message);
    this.receiveLater(message);
  }

  /** A message journalled by an earlier run: received again, its receives counted. */
  resume(message: JournalledInvocation): void {
    this.receiveLater(message);
  }

  /** Messages visible and waiting for their batch. */
  waiting(): number {
    let count = 0;
    for (const poller of this.pollers.values()) count += poller.visible.length;
    return count;
  }

  /** Hands every waiting message over now, without waiting for the batching window. */
  flush(): void {
    for (const poller of this.pollers.values()) {
      while (poller.visible.length > 0) this.handOver(poller);
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const poller of this.pollers.values()) clearTimeout(poller.window);
  }

  private receiveLater(message: JournalledInvocation): void {
    this.options.track(
      new Promise<void>((resolve) => {
        this.settle.set(message.id, resolve);
      }),
    );
    this.becomeVisible(message);
  }

  private becomeVisible(message: JournalledInvocation): void {
    const poller = this.pollers.get(message.targetArn);
    if (poller === undefined || this.options.isStopped()) return;
    const delay = message.dueAt - Date.now();
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.becomeVisible(message);
      }, delay);
      this.timers.add(timer);
      return;
    }
    poller.visible.push(message);
    if (poller.visible.length >= poller.mapping.batchSize) {
      this.handOver(poller);
    } else if (poller.window === undefined) {
      poller.window = setTimeout(() => {
        poller.window = undefined;
        while (poller.visible.length > 0) this.handOver(poller);
      }, poller.mapping.batchingWindowMs);
    }
    this.options.onVisible();
  }

  private handOver(poller: Poller): void {
    clearTimeout(poller.window);
    poller.window = undefined;
    const batch = poller.visible.splice(0, poller.mapping.batchSize);
    if (poller.visible.length > 0) {
      poller.window = setTimeout(() => {
        poller.window = undefined;
        while (poller.visible.length > 0) this.handOver(poller);
      }, poller.mapping.batchingWindowMs);
    }
    if (batch.length === 0) return;
    this.invoke(poller, batch).catch((error: unknown) => {
      // What could not even be recorded stays in the journal for the next start.
      this.options.onDeadLetter(
        `batch interrupted, left in the journal: ${error instanceof Error ? error.message : String(error)}`,
      );
      for (const message of batch) this.done(message.id);
    });
  }

  private async invoke(poller: Poller, batch: JournalledInvocation[]): Promise<void> {
    const [, , , region = "", , queueName = poller.mapping.queueArn] =
      poller.mapping.queueArn.split(":");
    const now = Date.now();
    const event: SQSEvent = {
      Records: batch.map((message) => {
        const body = JSON.stringify(message.payload);
        return {
          messageId: message.id,
          receiptHandle: `${message.id}#${message.attempts + 1}`,
          body,
          attributes: {
            ApproximateReceiveCount: String(message.attempts + 1),
            SentTimestamp: String(message.queuedAt),
            SenderId: "events.amazonaws.com",
            ApproximateFirstReceiveTimestamp: String(now),
          },
          messageAttributes: {},
          md5OfBody: createHash("md5").update(body).digest("hex"),
          eventSource: "aws:sqs",
          eventSourceARN: poller.mapping.queueArn,
          awsRegion: region,
        };
      }),
    };
    const result = await this.options.lambda.invoke(poller.fn, event);
    if (this.options.isStopped()) return;
    const failed = result.ok
      ? this.reportedFailures(poller, batch, result.result)
      : new Set(batch.map((message) => message.id));
    const error = result.ok ? undefined : `${result.error.errorType}: ${result.error.errorMessage}`;
    this.options.onBatch({
      functionName: poller.fn.name,
      queueName,
      records: batch.length,
      failed: failed.size,
      ...(error === undefined ? {} : { error }),
    });
    const again: JournalledInvocation[] = [];
    for (const message of batch) {
      if (failed.has(message.id)) {
        const retry = await this.receivedInVain(
          poller,
          message,
          error ?? "reported in batchItemFailures",
        );
        if (retry !== undefined) again.push(retry);
      } else {
        this.options.journal.remove(message.id);
        this.done(message.id);
      }
    }
    // Visible again once all are journalled, in the batch's order: a slow journal write must not
    // let a later record's retry overtake an earlier one's.
    for (const message of again) this.becomeVisible(message);
  }

  /**
   * The records the function listed in `batchItemFailures`. As Lambda does, a response that
   * names a record not in the batch, or is not a list, fails the whole batch; without
   * ReportBatchItemFailures a successful invocation deletes every record.
   */
  private reportedFailures(
    poller: Poller,
    batch: JournalledInvocation[],
    response: unknown,
  ): Set<string> {
    if (!poller.mapping.reportBatchItemFailures) return new Set();
    const all = new Set(batch.map((message) => message.id));
    const failures = (response as { batchItemFailures?: unknown } | null | undefined)
      ?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return all;
    const named = failures.map(
      (failure) => (failure as { itemIdentifier?: unknown })?.itemIdentifier,
    );
    if (named.some((id) => typeof id !== "string" || !all.has(id))) return all;
    return new Set(named as string[]);
  }

  /** Dead-letters the message after its last receive, or journals its retry and returns it. */
  private async receivedInVain(
    poller: Poller,
    message: JournalledInvocation,
    error: string,
  ): Promise<JournalledInvocation | undefined> {
    const receives = message.attempts + 1;
    const redrive = poller.queue?.redrive;
    if (redrive !== undefined && receives >= redrive.maxReceiveCount) {
      const letter = await this.options.deadLetters.send(
        redrive.deadLetterTargetArn,
        message.payload,
        {
          ApproximateReceiveCount: String(receives),
          ErrorMessage: error.slice(0, 1024),
          // As SQS names it: where `kp redrive` sends the letter back.
          DeadLetterQueueSourceArn: poller.mapping.queueArn,
        },
      );
      this.options.onDeadLetter(
        `sent to dead-letter queue ${letter.queueName} after ${receives} receives: ${error}`,
      );
      this.options.journal.remove(message.id);
      this.done(message.id);
      return undefined;
    }
    const delays = this.options.retryDelaysMs;
    const again: JournalledInvocation = {
      ...message,
      attempts: receives,
      dueAt: Date.now() + (delays[receives - 1] ?? delays.at(-1) ?? 0),
    };
    this.options.journal.record(again);
    return again;
  }

  private done(messageId: string): void {
    this.settle.get(messageId)?.();
    this.settle.delete(messageId);
  }
}
