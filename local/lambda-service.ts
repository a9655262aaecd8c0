import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import { jsonText } from "../shared/domain/json-text.js";
import type { FunctionFault } from "./chaos.js";
import type { LocalFunction } from "./cloud-assembly.js";

export interface InvocationFailure {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

export type InvocationResult =
  | { ok: true; result: unknown; durationMs: number; requestId: string }
  | { ok: false; error: InvocationFailure; durationMs: number; requestId: string };

interface Pending {
  resolve: (result: InvocationResult) => void;
  started: number;
  timer: NodeJS.Timeout;
}

/** A warm execution environment of one function. */
class ExecutionEnvironment {
  readonly worker: Worker;
  readonly ready: Promise<number>;
  busy = false;
  /** Ended (timed out): never handed another invocation. */
  retired = false;
  private pending: { requestId: string; entry: Pending } | undefined;

  constructor(
    private readonly fn: LocalFunction,
    env: Record<string, string>,
    private readonly clockOffsetMs: () => number,
    onLog: (line: string) => void,
    private readonly onExit: (environment: ExecutionEnvironment) => void,
  ) {
    this.worker = new Worker(new URL("./lambda-worker.mjs", import.meta.url), {
      workerData: {
        codeFile: fn.codeFile,
        handlerExport: fn.handlerExport,
        functionName: fn.name,
        functionArn: fn.arn,
        memorySize: fn.memorySize,
      },
      env,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(fn.memorySize, 128) },
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream }).on("line", onLog);
    }
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("error", reject);
      this.worker.on("message", (message: { type: string; initMs?: number }) => {
        if (message.type === "ready") resolve(message.initMs ?? 0);
      });
    });
    this.worker.on("message", (message) => this.settle(message));
    this.worker.on("error", (error) =>
      this.fail({ errorType: error.name, errorMessage: error.message }),
    );
    this.worker.on("exit", () => {
      this.fail({
        errorType: "Runtime.ExitError",
        errorMessage: "The execution environment exited",
      });
      this.onExit(this);
    });
  }

  /**
   * One invocation. A fault (`kp chaos`) ends it from outside, as Lambda would: `crash` ends the
   * execution environment after `afterMs`; `timeout` gives the invocation a deadline `afterMs`
   * away (the function sees it through getRemainingTimeInMillis) and ends it there.
   */
  async invoke(event: unknown, fault?: FunctionFault): Promise<InvocationResult> {
    this.busy = true;
    try {
      await this.ready;
    } catch (error) {
      this.busy = false;
      const failure = error instanceof Error ? error : new Error(String(error));
      return {
        ok: false,
        requestId: randomUUID(),
        durationMs: 0,
        error: { errorType: "Runtime.ImportModuleError", errorMessage: failure.message },
      };
    }
    const requestId = randomUUID();
    const timeoutMs =
      fault?.kind === "timeout"
        ? Math.min(fault.afterMs, this.fn.timeoutSeconds * 1000)
        : this.fn.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Like Lambda, a timed-out environment is not reused: it stays busy until it is gone.
        this.retired = true;
        this.fail({
          errorType: "Sandbox.Timedout",
          errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        });
        void this.worker.terminate();
      }, timeoutMs);
      this.pending = { requestId, entry: { resolve, started: performance.now(), timer } };
      // As Lambda does, the event travels as JSON text: a structured clone (postMessage's own)
      // overflows the stack on a detail nested a few thousand levels deep; JSON.parse does not.
      this.worker.postMessage({
        requestId,
        eventJson: jsonText(event).text,
        deadline: Date.now() + timeoutMs,
        clockOffsetMs: this.clockOffsetMs(),
      });
      if (fault?.kind === "crash") {
        const crash = () => {
          if (this.pending?.requestId !== requestId) return;
          // The process dies mid-way (as a segfault or an out-of-memory kill would end it).
          this.retired = true;
          this.fail({
            errorType: "Runtime.ExitError",
            errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
          });
          void this.worker.terminate();
        };
        // At once (no delay) means before the invocation can answer, however quick it is.
        if (fault.afterMs <= 0) crash();
        else setTimeout(crash, fault.afterMs).unref();
      }
    });
  }

  private settle(message: {
    type: string;
    requestId?: string;
    ok?: boolean;
    result?: unknown;
    error?: InvocationFailure;
  }): void {
    const pending = this.pending;
    if (
      message.type !== "result" ||
      pending === undefined ||
      pending.requestId !== message.requestId
    ) {
      return;
    }
    const { requestId, entry } = pending;
    this.pending = undefined;
    this.busy = false;
    clearTimeout(entry.timer);
    const durationMs = performance.now() - entry.started;
    entry.resolve(
      message.ok
        ? { ok: true, result: message.result, durationMs, requestId }
        : {
            ok: false,
            error: message.error ?? { errorType: "Error", errorMessage: "unknown" },
            durationMs,
            requestId,
          },
    );
  }

  private fail(error: InvocationFailure): void {
    if (this.pending === undefined) return;
    const { requestId, entry } = this.pending;
    this.pending = undefined;
    this.busy = false;
    clearTimeout(entry.timer);
    entry.resolve({ ok: false, error, durationMs: performance.now() - entry.started, requestId });
  }
}

export interface LambdaServiceOptions {
  /** Variables every function gets on top of its own: region, credentials, local endpoints. */
  baseEnvironment: Record<string, string>;
  /** Execution environments per function at most (Lambda scales out; a laptop should not). */
  concurrency: number;
  onLog: (functionName: string, line: string) => void;
  /** The fault (`kp chaos crash|timeout`) of the next invocation of a function, if any. */
  faultOf?: (functionName: string) => FunctionFault | undefined;
  /**
   * The local clock's lead over the real one: the functions' Date follows it, so an event the
   * moved clock stamps is "now" to them, as an event is to a Lambda in AWS.
   */
  clockOffsetMs?: () => number;
}

/** Runs the functions of the cloud assembly, each in its own warm execution environments. */
export class LambdaService {
  private readonly environments = new Map<string, ExecutionEnvironment[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  readonly initDurations = new Map<string, number[]>();
  /** Invocations per function name, for benchmarks. */
  readonly invocations = new Map<string, number>();

  constructor(
    private readonly functions: Map<string, LocalFunction>,
    private readonly options: LambdaServiceOptions,
  ) {}

  findByArn(arn: string): LocalFunction | undefined {
    return this.functions.get(arn);
  }

  async invoke(fn: LocalFunction, event: unknown): Promise<InvocationResult> {
    this.invocations.set(fn.name, (this.invocations.get(fn.name) ?? 0) + 1);
    const environment = await this.acquire(fn);
    try {
      return await environment.invoke(event, this.options.faultOf?.(fn.name));
    } finally {
      this.release(fn);
    }
  }

  async stop(): Promise<void> {
    const all = [...this.environments.values()].flat();
    this.environments.clear();
    await Promise.all(all.map((environment) => environment.worker.terminate()));
  }

  private async acquire(fn: LocalFunction): Promise<ExecutionEnvironment> {
    for (;;) {
      const pool = this.environments.get(fn.arn) ?? [];
      this.environments.set(fn.arn, pool);
      const idle = pool.find((environment) => !environment.busy && !environment.retired);
      if (idle !== undefined) {
        idle.busy = true;
        return idle;
      }
      // A retired (timed-out) environment is on its way out and takes no place in the pool.
      const live = pool.filter((environment) => !environment.retired).length;
      if (
        live <
        Math.min(this.options.concurrency, fn.reservedConcurrency ?? Number.POSITIVE_INFINITY)
      ) {
        const environment = this.start(fn, pool);
        environment.busy = true;
        return environment;
      }
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(fn.arn) ?? [];
        queue.push(resolve);
        this.waiting.set(fn.arn, queue);
      });
    }
  }

  private release(fn: LocalFunction): void {
    this.waiting.get(fn.arn)?.shift()?.();
  }

  private start(fn: LocalFunction, pool: ExecutionEnvironment[]): ExecutionEnvironment {
    const environment = new ExecutionEnvironment(
      fn,
      {
        ...this.options.baseEnvironment,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      },
      this.options.clockOffsetMs ?? (() => 0),
      (line) => this.options.onLog(fn.name, line),
      (exited) => {
        const index = pool.indexOf(exited);
        if (index >= 0) pool.splice(index, 1);
      },
    );
    environment.ready.then(
      (initMs) =>
        this.initDurations.set(fn.name, [...(this.initDurations.get(fn.name) ?? []), initMs]),
      () => undefined,
    );
    pool.push(environment);
    return environment;
  }
}
