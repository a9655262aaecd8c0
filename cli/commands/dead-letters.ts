import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { kebabDetailType, SOURCE } from "../../shared/contract/index.js";
import { WORKFLOWS_SOURCE } from "../../shared/contract/internal.js";
import type { ParsedArgs } from "../args.js";
import {
  type DeadLetterSource,
  type HeldLetter,
  LocalDeadLetters,
  SqsDeadLetters,
} from "../dead-letter-queues.js";
import { MAX_PUT_EVENTS_BYTES_PER_CALL, PUT_EVENTS_BATCH } from "../put-events.js";
import { deadLetterQueueUrls, localDir } from "../resources.js";
import { type Target, type TargetOptions, UsageError } from "../target.js";
import { type Io, reportingServiceErrors } from "./shared.js";

/** The dead-letter queues of the target: SQS in AWS, the runtime's files locally. */
function sourceOf(
  args: ParsedArgs,
  options: TargetOptions,
  target: () => Target,
  visibilityTimeoutSeconds: number,
): { source: DeadLetterSource; close: () => void } {
  if (options.aws) {
    const sqs = new SQSClient(target().clientConfig);
    return {
      source: new SqsDeadLetters(
        sqs,
        deadLetterQueueUrls(args, target().outputs),
        visibilityTimeoutSeconds,
      ),
      close: () => sqs.destroy(),
    };
  }
  const endpoint = target().eventBridgeEndpointUrl ?? "http://127.0.0.1:4010";
  return { source: new LocalDeadLetters(localDir(options), endpoint), close: () => undefined };
}

/** `--detail-type` (as written in the contract, or kebab-case) and `--id` (message or event id). */
export function letterFilter(args: ParsedArgs): (letter: HeldLetter) => boolean {
  const detailType = args.flags.get("detail-type");
  const id = args.flags.get("id");
  if (detailType === true) throw new UsageError("--detail-type takes a detail-type");
  if (id === true) throw new UsageError("--id takes a message id or an event id");
  return (letter) =>
    (detailType === undefined ||
      (letter.event !== undefined &&
        (letter.event.detailType === detailType ||
          kebabDetailType(letter.event.detailType) === detailType.toLowerCase()))) &&
    (id === undefined || letter.id === id || letter.event?.id === id);
}

/** Why a letter is not put back on the bus, or undefined when it is. */
export function notRedrivable(letter: HeldLetter): string | undefined {
  const { event } = letter;
  if (event === undefined) return "the message is not an EventBridge event";
  if (event.source === SOURCE) return undefined;
  if (event.source === WORKFLOWS_SOURCE) {
    return "the system's own event: the bus takes it only from the functions; the reconciler hands a notice's unsent recipients to the sender again (kp meetings show <meetingId>)";
  }
  if (event.source.startsWith("aws.")) {
    return `AWS's own event (${event.source}): PutEvents refuses the aws. prefix; a schedule fires again by itself`;
  }
  return `source ${event.source} is not the secretariat's (${SOURCE})`;
}

function describeLetter(letter: HeldLetter): string[] {
  const what =
    letter.event === undefined
      ? "(not an event)"
      : `${letter.event.detailType}  event ${letter.event.id}  of ${letter.event.time}`;
  const from =
    letter.sourceQueueArn === undefined
      ? ""
      : `  (from ${queueOfArn({ sourceQueueArn: letter.sourceQueueArn })})`;
  return [
    `${letter.sentAt}  ${letter.queue}${from}  ${what}  message ${letter.id}`,
    `  ${letter.errorCode === undefined ? "" : `${letter.errorCode}: `}${letter.error}`,
  ];
}

function letterJson(letter: HeldLetter) {
  const { receipt: _receipt, body: _body, ...rest } = letter;
  return rest;
}

export const deadLetters = reportingServiceErrors(deadLettersUnguarded);

async function deadLettersUnguarded(
  args: ParsedArgs,
  options: TargetOptions,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const matches = letterFilter(args);
  const deleting = args.flags.get("delete") === true;
  if (deleting && !args.flags.has("id") && !args.flags.has("detail-type")) {
    throw new UsageError(
      "kp dead-letters --delete needs --id <message or event id> or --detail-type <type>: it deletes only what you name",
    );
  }
  const { source, close } = sourceOf(args, options, target, 30);
  try {
    const letters = await source.receive();
    const shown = letters.filter(matches);
    if (deleting) {
      // What cannot be put back and is no longer needed (a Notices Due the reconciler re-handed).
      for (const letter of shown) await source.remove(letter);
      await source.release(letters.filter((letter) => !matches(letter)));
    } else {
      // Listing takes nothing: every message is visible again at once.
      await source.release(letters);
    }
    if (json) {
      io.out(JSON.stringify(shown.map(letterJson)));
      return 0;
    }
    for (const letter of shown) for (const line of describeLetter(letter)) io.out(line);
    io.out(
      deleting
        ? `${shown.length} dead letter(s) deleted from ${source.describe}`
        : `${shown.length} dead letter(s) in ${source.describe}`,
    );
    return 0;
  } finally {
    close();
  }
}

export type RedriveOutcome =
  | { letter: HeldLetter; outcome: "redriven"; eventId: string }
  | { letter: HeldLetter; outcome: "would-redrive" }
  /** A letter of a queue a function reads (SES's events): back to that queue, not to the bus. */
  | { letter: HeldLetter; outcome: "moved-back"; queue: string }
  | { letter: HeldLetter; outcome: "would-move-back"; queue: string }
  | { letter: HeldLetter; outcome: "kept"; reason: string; refused: boolean };

function entryOf(letter: HeldLetter, eventBusName: string): PutEventsRequestEntry {
  const event = letter.event;
  if (event === undefined) throw new Error(`Dead letter ${letter.id} holds no event`);
  // The original event: its time too, so that a newer change still wins over it.
  return {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.time),
    Resources: event.resources,
  };
}

function entrySize(entry: PutEventsRequestEntry): number {
  return (
    Buffer.byteLength(entry.Source ?? "") +
    Buffer.byteLength(entry.DetailType ?? "") +
    Buffer.byteLength(entry.Detail ?? "") +
    (entry.Resources ?? []).reduce((sum, resource) => sum + Buffer.byteLength(resource), 14)
  );
}

/** Batches of at most 10 entries and 256 KB, as PutEvents takes them. */
function batchesOf(letters: HeldLetter[], eventBusName: string) {
  const batches: { letter: HeldLetter; entry: PutEventsRequestEntry }[][] = [];
  let current: { letter: HeldLetter; entry: PutEventsRequestEntry }[] = [];
  let size = 0;
  for (const letter of letters) {
    const entry = entryOf(letter, eventBusName);
    const bytes = entrySize(entry);
    if (
      current.length === PUT_EVENTS_BATCH ||
      (current.length > 0 && size + bytes > MAX_PUT_EVENTS_BYTES_PER_CALL)
    ) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ letter, entry });
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Puts each letter's event back on the bus as it was, and deletes the letter only once PutEvents
 * accepted that entry; a refused entry (or a failed call) leaves its letter in the queue.
 */
export async function redriveLetters(
  letters: HeldLetter[],
  source: DeadLetterSource,
  eventBridge: EventBridgeClient,
  eventBusName: string,
  dryRun: boolean,
): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  const release: HeldLetter[] = [];
  const redrivable: HeldLetter[] = [];
  const movable: (HeldLetter & { sourceQueueArn: string })[] = [];
  for (const letter of letters) {
    if (letter.sourceQueueArn !== undefined) {
      movable.push({ ...letter, sourceQueueArn: letter.sourceQueueArn });
      continue;
    }
    const reason = notRedrivable(letter);
    if (reason === undefined) redrivable.push(letter);
    else {
      outcomes.push({ letter, outcome: "kept", reason, refused: false });
      release.push(letter);
    }
  }
  try {
    if (dryRun) {
      for (const letter of movable) {
        outcomes.push({ letter, outcome: "would-move-back", queue: queueOfArn(letter) });
      }
      for (const letter of redrivable) outcomes.push({ letter, outcome: "would-redrive" });
      release.push(...movable, ...redrivable);
      return outcomes;
    }
    for (const letter of movable) {
      try {
        await source.moveBack(letter);
        outcomes.push({ letter, outcome: "moved-back", queue: queueOfArn(letter) });
      } catch (error) {
        release.push(letter);
        outcomes.push({
          letter,
          outcome: "kept",
          reason: `not moved back to ${queueOfArn(letter)}: ${error instanceof Error ? error.message : String(error)}`,
          refused: true,
        });
      }
    }
    for (const batch of batchesOf(redrivable, eventBusName)) {
      let results: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
      try {
        const response = await eventBridge.send(
          new PutEventsCommand({ Entries: batch.map((item) => item.entry) }),
        );
        results = response.Entries ?? [];
      } catch (error) {
        const reason = `PutEvents failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        results = batch.map(() => ({ ErrorCode: "CallFailed", ErrorMessage: reason }));
      }
      for (const [index, { letter }] of batch.entries()) {
        const result = results[index];
        if (result?.EventId !== undefined && result.ErrorCode === undefined) {
          try {
            await source.remove(letter);
            outcomes.push({ letter, outcome: "redriven", eventId: result.EventId });
          } catch (error) {
            outcomes.push({
              letter,
              outcome: "kept",
              reason: `put back as event ${result.EventId}, but not deleted (${error instanceof Error ? error.message : String(error)}): redriving it again changes nothing, the workflows are idempotent`,
              refused: true,
            });
          }
        } else {
          release.push(letter);
          outcomes.push({
            letter,
            outcome: "kept",
            reason:
              result?.ErrorCode === "CallFailed"
                ? (result.ErrorMessage ?? "PutEvents failed")
                : `PutEvents refused it: ${result?.ErrorCode ?? "no result"}: ${result?.ErrorMessage ?? ""}`,
            refused: true,
          });
        }
      }
    }
    return outcomes;
  } finally {
    await source.release(release);
  }
}

/** The name of the queue a letter goes back to (the last part of its ARN). */
function queueOfArn(letter: { sourceQueueArn: string }): string {
  return letter.sourceQueueArn.split(":").at(-1) ?? letter.sourceQueueArn;
}

export const redrive = reportingServiceErrors(redriveUnguarded);

async function redriveUnguarded(
  args: ParsedArgs,
  options: TargetOptions,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const matches = letterFilter(args);
  const dryRun = args.flags.get("dry-run") === true;
  const { source, close } = sourceOf(args, options, target, 300);
  try {
    const received = await source.receive();
    const chosen = received.filter(matches);
    await source.release(received.filter((letter) => !matches(letter)));
    const resolved = target();
    const outcomes = await redriveLetters(
      chosen,
      source,
      resolved.eventBridge,
      resolved.eventBusName,
      dryRun,
    );
    if (json) {
      io.out(
        JSON.stringify(
          outcomes.map(({ letter, ...outcome }) => ({ ...outcome, letter: letterJson(letter) })),
        ),
      );
    } else {
      for (const outcome of outcomes) {
        const { letter } = outcome;
        const what = `${letter.event?.detailType ?? "(not an event)"}  event ${letter.event?.id ?? "-"}  from ${letter.queue}`;
        if (outcome.outcome === "redriven") io.out(`Redriven  ${what}  → event ${outcome.eventId}`);
        else if (outcome.outcome === "would-redrive") io.out(`Would redrive  ${what}`);
        else if (outcome.outcome === "moved-back")
          io.out(`Moved back  ${what}  → ${outcome.queue}`);
        else if (outcome.outcome === "would-move-back") {
          io.out(`Would move back  ${what}  → ${outcome.queue}`);
        } else io.out(`Kept  ${what}: ${outcome.reason}`);
      }
      const count = (kind: RedriveOutcome["outcome"]) =>
        outcomes.filter((outcome) => outcome.outcome === kind).length;
      // Said only when some letter goes back to its own queue (SES's events).
      const movedBack = (kind: RedriveOutcome["outcome"], verb: string) =>
        count(kind) > 0 ? `, ${count(kind)} ${verb} back to the queue they came from` : "";
      io.out(
        dryRun
          ? `Dry run: ${count("would-redrive")} would be redriven${movedBack("would-move-back", "would be moved")}, ${count("kept")} kept; nothing was put or deleted (${source.describe}).`
          : chosen.length === 0
            ? `Nothing to redrive in ${source.describe}.`
            : `${count("redriven")} redriven to ${resolved.describe}${movedBack("moved-back", "moved")}, ${count("kept")} kept in the queue.`,
      );
    }
    return outcomes.some((outcome) => outcome.outcome === "kept" && outcome.refused) ? 1 : 0;
  } finally {
    close();
  }
}
