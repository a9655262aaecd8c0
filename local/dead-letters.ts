import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
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

/** The dead-letter queues of the template, kept as JSON lines under the local data folder. */
export class DeadLetterQueues {
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
    await mkdir(this.directory, { recursive: true });
    await appendFile(join(this.directory, `${queueName}.jsonl`), `${jsonText(letter).text}\n`);
    return letter;
  }

  async list(): Promise<DeadLetter[]> {
    const files = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    const letters: DeadLetter[] = [];
    for (const file of files.filter((name) => name.endsWith(".jsonl"))) {
      const lines = (await readFile(join(this.directory, file), "utf8")).split("\n");
      letters.push(...lines.filter(Boolean).map((line) => JSON.parse(line) as DeadLetter));
    }
    return letters.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }
}
