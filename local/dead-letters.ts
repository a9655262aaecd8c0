import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jsonText } from "../shared/domain/json-text.js";
import type { LocalQueue } from "./cloud-assembly.js";

export interface DeadLetter {
  messageId: string;
  queueName: string;
  sentAt: string;
  /** The event as the target would have received it. */
  body: string;
  /** What Lambda (or EventBridge) attaches: RequestID, ErrorCode, ErrorMessage. */
  attributes: Record<string, string>;
}

/**
 * The dead-letter queues of the template, kept as JSON lines under the local data folder. Writes
 * (a new letter, a removal) go one at a time, so a removal never loses a letter sent meanwhile.
 */
export class DeadLetterQueues {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly directory: string,
    private readonly queues: LocalQueue[],
  ) {}

  async send(
    queueArn: string,
    body: unknown,
    attributes: Record<string, string>,
  ): Promise<DeadLetter> {
    const queue = this.queues.find((candidate) => candidate.arn === queueArn);
    const queueName = queue?.queueName ?? queueArn;
    const letter: DeadLetter = {
      messageId: randomUUID(),
      queueName,
      sentAt: new Date().toISOString(),
      body: jsonText(body).text,
      attributes,
    };
    return this.serially(async () => {
      await mkdir(this.directory, { recursive: true });
      await appendFile(join(this.directory, `${queueName}.jsonl`), `${jsonText(letter).text}\n`);
      return letter;
    });
  }

  /** Deletes one letter (SQS's DeleteMessage); false when no queue holds it. */
  async remove(messageId: string): Promise<boolean> {
    return this.serially(async () => {
      for (const file of await this.files()) {
        const path = join(this.directory, file);
        const lines = (await readFile(path, "utf8")).split("\n").filter(Boolean);
        const kept = lines.filter(
          (line) => (JSON.parse(line) as DeadLetter).messageId !== messageId,
        );
        if (kept.length === lines.length) continue;
        // A whole new file, renamed over the old one: a kill leaves one or the other.
        await writeFile(`${path}.tmp`, kept.map((line) => `${line}\n`).join(""));
        await rename(`${path}.tmp`, path);
        return true;
      }
      return false;
    });
  }

  /** The letters waiting in one of the template's queues; undefined when it has no such queue. */
  async count(queueName: string): Promise<number | undefined> {
    if (!this.queues.some((queue) => queue.queueName === queueName)) return undefined;
    return (await this.list()).filter((letter) => letter.queueName === queueName).length;
  }

  async list(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const file of await this.files()) {
      const lines = (await readFile(join(this.directory, file), "utf8")).split("\n");
      letters.push(...lines.filter(Boolean).map((line) => JSON.parse(line) as DeadLetter));
    }
    return letters.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }

  private async files(): Promise<string[]> {
    const files = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    return files.filter((name) => name.endsWith(".jsonl"));
  }

  private serially<T>(write: () => Promise<T>): Promise<T> {
    const result = this.writes.then(write);
    this.writes = result.catch(() => undefined);
    return result;
  }
}
