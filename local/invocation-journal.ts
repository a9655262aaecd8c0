import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonText } from "../shared/domain/json-text.js";

/** One accepted asynchronous invocation, as Lambda's internal queue holds it until it is done. */
export interface JournalledInvocation {
  id: string;
  /** The rule that matched (its name) and the target it invokes (a function's ARN). */
  rule: string;
  targetArn: string;
  /** The event as EventBridge routed it (for the log) and what the target receives. */
  event: unknown;
  payload: unknown;
  /** Attempts made so far (0: not tried yet). */
  attempts: number;
  /** When the next attempt is due (epoch ms, real time). */
  dueAt: number;
  /** When the event was accepted (epoch ms): an event older than the function's maximum age is dropped. */
  queuedAt: number;
  /** The last attempt's failure, for the dead letter if no attempt is left after a restart. */
  lastError?: { requestId: string; message: string };
}

/**
 * The runtime's asynchronous invocation queue on disk: one file per invocation, written before
 * PutEvents (or SES, or a function's own PutEvents) answers, rewritten at each retry, removed
 * when the invocation succeeded or was dead-lettered. A `kill -9` loses nothing accepted: the
 * next start resumes every file. Files are written to a temporary name and renamed, so a file is
 * whole or absent; there is no fsync, so this survives the process dying, not the machine.
 */
export class InvocationJournal {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  record(invocation: JournalledInvocation): void {
    const file = this.fileOf(invocation.id);
    const temporary = `${file}.${randomUUID()}.tmp`;
    // Without recursion: an accepted detail may be nested thousands of levels deep.
    writeFileSync(temporary, jsonText(invocation).text);
    renameSync(temporary, file);
  }

  remove(id: string): void {
    rmSync(this.fileOf(id), { force: true });
  }

  /** Every journalled invocation, oldest first; half-written temporary files are discarded. */
  list(): JournalledInvocation[] {
    const invocations: JournalledInvocation[] = [];
    for (const name of readdirSync(this.directory)) {
      const path = join(this.directory, name);
      if (name.endsWith(".tmp")) {
        rmSync(path, { force: true });
        continue;
      }
      if (!name.endsWith(".json")) continue;
      invocations.push(JSON.parse(readFileSync(path, "utf8")) as JournalledInvocation);
    }
    return invocations.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  size(): number {
    return readdirSync(this.directory).filter((name) => name.endsWith(".json")).length;
  }

  private fileOf(id: string): string {
    return join(this.directory, `${id}.json`);
  }
}

/** When each schedule rule last fired (on the runtime's clock), kept so a restart catches up. */
export class ScheduleJournal {
  private readonly lastFired: Record<string, number>;

  constructor(private readonly file: string) {
    let parsed: Record<string, number> = {};
    try {
      parsed = JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    this.lastFired = parsed;
  }

  get(rule: string): number | undefined {
    return this.lastFired[rule];
  }

  fired(rule: string, at: number): void {
    this.lastFired[rule] = at;
    const temporary = `${this.file}.${randomUUID()}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.lastFired, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
