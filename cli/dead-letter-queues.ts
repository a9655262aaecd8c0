import { join } from "node:path";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { DeadLetterQueues } from "../local/dead-letters.js";

/** The event a dead letter holds: an EventBridge event, as the rule's target would have had it. */
export interface DeadLetterEvent {
  id: string;
  source: string;
  detailType: string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** One message of a dead-letter queue, received (and hidden from other readers) until let go. */
export interface HeldLetter {
  /** SQS's MessageId (locally, the letter's own id). */
  id: string;
  queue: string;
  /** When it reached the queue. */
  sentAt: string;
  /** ERROR_CODE (EventBridge) or ErrorCode (Lambda). */
  errorCode?: string;
  /** ERROR_MESSAGE (EventBridge) or ErrorMessage (Lambda). */
  error: string;
  rule?: string;
  target?: string;
  /** Undefined when the body is not an EventBridge event. */
  event?: DeadLetterEvent;
  body: string;
  /**
   * The queue a function reads whose dead-letter queue this is (SQS's DeadLetterQueueSourceArn):
   * such a letter goes back to that queue, not to the bus.
   */
  sourceQueueArn?: string;
  /** SQS's receipt handle and queue URL, to delete or release the message. */
  receipt?: { queueUrl: string; handle: string };
}

/** What `kp dead-letters` and `kp redrive` read and delete: SQS in AWS, files locally. */
export interface DeadLetterSource {
  describe: string;
  /** Every letter of the queues, each hidden from other readers until removed or released. */
  receive(): Promise<HeldLetter[]>;
  /** Deletes the letter (its event is back on the bus). */
  remove(letter: HeldLetter): Promise<void>;
  /** Makes the letters visible again, as they were. */
  release(letters: HeldLetter[]): Promise<void>;
  /** Sends the letter's message back to its source queue as it was, then deletes the letter. */
  moveBack(letter: HeldLetter & { sourceQueueArn: string }): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The EventBridge event in a message body, or undefined when it holds something else. */
export function eventOf(body: string): DeadLetterEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.detail)) return undefined;
  const { id, source, time, resources } = parsed;
  const detailType = parsed["detail-type"];
  if (typeof source !== "string" || typeof detailType !== "string" || typeof time !== "string") {
    return undefined;
  }
  return {
    id: typeof id === "string" ? id : "",
    source,
    detailType,
    time,
    resources: Array.isArray(resources) ? resources.map(String) : [],
    detail: parsed.detail,
  };
}

/** A letter from a message body and its attributes (EventBridge's or Lambda's names). */
export function letterOf(
  fields: { id: string; queue: string; sentAt: string; body: string },
  attributes: Record<string, string>,
): HeldLetter {
  const errorCode = attributes.ERROR_CODE ?? attributes.ErrorCode;
  const event = eventOf(fields.body);
  return {
    ...fields,
    ...(errorCode === undefined ? {} : { errorCode }),
    error: attributes.ERROR_MESSAGE ?? attributes.ErrorMessage ?? "(no error message)",
    ...(attributes.RULE_ARN === undefined ? {} : { rule: attributes.RULE_ARN }),
    ...(attributes.TARGET_ARN === undefined ? {} : { target: attributes.TARGET_ARN }),
    ...(event === undefined ? {} : { event }),
    ...(attributes.DeadLetterQueueSourceArn === undefined
      ? {}
      : { sourceQueueArn: attributes.DeadLetterQueueSourceArn }),
  };
}

/** The local runtime's queues: files it writes; a letter is deleted through the runtime. */
export class LocalDeadLetters implements DeadLetterSource {
  readonly describe: string;

  constructor(
    private readonly localDir: string,
    private readonly eventBridgeEndpoint: string,
  ) {
    this.describe = `the local runtime's dead letters (${join(localDir, "dead-letters")})`;
  }

  async receive(): Promise<HeldLetter[]> {
    const letters = await new DeadLetterQueues(join(this.localDir, "dead-letters"), []).list();
    return letters.map((letter) =>
      letterOf(
        { id: letter.messageId, queue: letter.queueName, sentAt: letter.sentAt, body: letter.body },
        letter.attributes,
      ),
    );
  }

  async remove(letter: HeldLetter): Promise<void> {
    const response = await fetch(
      `${this.eventBridgeEndpoint}/_kp/dead-letters/${encodeURIComponent(letter.id)}`,
      { method: "DELETE" },
    );
    // 404: already gone (another redrive removed it); the event is on the bus either way.
    if (!response.ok && response.status !== 404) {
      throw new Error(
        `The runtime did not delete dead letter ${letter.id}: ${await response.text()}`,
      );
    }
  }

  async release(): Promise<void> {
    // Files are read, not received: nothing was hidden.
  }

  async moveBack(letter: HeldLetter): Promise<void> {
    const response = await fetch(
      `${this.eventBridgeEndpoint}/_kp/dead-letters/${encodeURIComponent(letter.id)}/move-back`,
      { method: "POST" },
    );
    if (!response.ok) {
      throw new Error(
        `The runtime did not move dead letter ${letter.id} back: ${await response.text()}`,
      );
    }
  }
}

/** The most messages read from one queue in one command (run it again for more). */
export const MAX_LETTERS_PER_QUEUE = 1000;

/**
 * The dead-letter queues in AWS. Each message is received with a visibility timeout, so no other
 * reader takes it meanwhile; it is deleted once its event is back on the bus, or made visible
 * again at once (ChangeMessageVisibility 0).
 */
export class SqsDeadLetters implements DeadLetterSource {
  readonly describe: string;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: string[],
    private readonly visibilityTimeoutSeconds = 300,
  ) {
    this.describe = `SQS (${queueUrls.map(queueNameOf).join(", ")})`;
  }

  async receive(): Promise<HeldLetter[]> {
    const letters: HeldLetter[] = [];
    for (const queueUrl of this.queueUrls) {
      // A message received again (its timeout passed) replaces the older receipt.
      const byId = new Map<string, HeldLetter>();
      while (byId.size < MAX_LETTERS_PER_QUEUE) {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            // Long polling asks every SQS server, so an empty answer means an empty queue.
            WaitTimeSeconds: 1,
            VisibilityTimeout: this.visibilityTimeoutSeconds,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["SentTimestamp", "DeadLetterQueueSourceArn"],
          }),
        );
        if (Messages.length === 0) break;
        const before = byId.size;
        for (const message of Messages) {
          const letter = this.letterFrom(queueUrl, message);
          if (letter !== undefined) byId.set(letter.id, letter);
        }
        if (byId.size === before) break;
      }
      letters.push(...byId.values());
    }
    return letters.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }

  async remove(letter: HeldLetter): Promise<void> {
    if (letter.receipt === undefined) throw new Error(`Dead letter ${letter.id} was not received`);
    await this.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: letter.receipt.queueUrl,
        ReceiptHandle: letter.receipt.handle,
      }),
    );
  }

  async release(letters: HeldLetter[]): Promise<void> {
    for (const letter of letters) {
      if (letter.receipt === undefined) continue;
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: letter.receipt.queueUrl,
          ReceiptHandle: letter.receipt.handle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }

  async moveBack(letter: HeldLetter & { sourceQueueArn: string }): Promise<void> {
    // arn:aws:sqs:<region>:<account>:<name>
    const [, , , , account, name] = letter.sourceQueueArn.split(":");
    const { QueueUrl } = await this.sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    await this.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: letter.body }));
    await this.remove(letter);
  }

  private letterFrom(queueUrl: string, message: Message): HeldLetter | undefined {
    if (message.MessageId === undefined || message.ReceiptHandle === undefined) return undefined;
    const attributes = Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        value.StringValue ?? "",
      ]),
    );
    const source = message.Attributes?.DeadLetterQueueSourceArn;
    if (source !== undefined) attributes.DeadLetterQueueSourceArn = source;
    const sent = Number(message.Attributes?.SentTimestamp);
    return {
      ...letterOf(
        {
          id: message.MessageId,
          queue: queueNameOf(queueUrl),
          sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : "",
          body: message.Body ?? "",
        },
        attributes,
      ),
      receipt: { queueUrl, handle: message.ReceiptHandle },
    };
  }
}

/** https://sqs.eu-central-1.amazonaws.com/123456789012/KpStateful-FailedEvents… → its name. */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.split("/").filter(Boolean).at(-1) ?? queueUrl;
}
