import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type LocalArchives, type LocalReplay, ReplayRefused } from "./archive.js";
import { type Chaos, InvalidChaosRequest, parseChaosRequest } from "./chaos.js";
import type { LocalClock } from "./clock.js";
import type { EventEnvelope, LocalEventBus } from "./event-bus.js";
import {
  InvalidEventPatternError,
  matchesEventPattern,
  missingTestEventFields,
  parseEventPattern,
} from "./event-pattern.js";
import { guarded } from "./listen.js";

/** AWS's limit on one PutEvents request: 256 KB, counted as the EventBridge guide says. */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const MAX_ENTRIES = 10;

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface PutEventsRequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

function entrySize(entry: PutEventsRequestEntry): number {
  const text = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    text(entry.Source) +
    text(entry.DetailType) +
    text(entry.Detail) +
    resources.reduce<number>((sum, resource) => sum + text(resource), 0)
  );
}

function invalidArgument(parameter: string): PutEventsResultEntry {
  return {
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
  };
}

function parseDetail(detail: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(detail);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function eventTimeOf(time: unknown): Date | undefined {
  // The SDK sends Time as epoch seconds; the CLI may send an ISO string.
  if (typeof time === "number") return new Date(time * 1000);
  if (typeof time === "string" && !Number.isNaN(Date.parse(time))) return new Date(time);
  return undefined;
}

export interface PutEventsOutcome {
  response: { FailedEntryCount: number; Entries: PutEventsResultEntry[] };
  accepted: { eventBusName: string | undefined; event: EventEnvelope }[];
}

/** PutEvents with AWS's validation: whole-request errors throw, entry errors are returned. */
export function putEvents(bus: LocalEventBus, body: { Entries?: unknown }): PutEventsOutcome {
  const entries = body.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ServiceError(
      "ValidationException",
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw new ServiceError(
      "ValidationException",
      `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  const typed = entries as PutEventsRequestEntry[];
  if (typed.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_PUT_EVENTS_BYTES) {
    throw new ServiceError(
      "ValidationException",
      "Total size of the entries in the request is over the limit.",
    );
  }
  const accepted: PutEventsOutcome["accepted"] = [];
  const results = typed.map((entry): PutEventsResultEntry => {
    if (typeof entry.Source !== "string" || entry.Source === "") return invalidArgument("Source");
    if (typeof entry.DetailType !== "string" || entry.DetailType === "") {
      return invalidArgument("DetailType");
    }
    if (typeof entry.Detail !== "string" || entry.Detail === "") return invalidArgument("Detail");
    const detail = parseDetail(entry.Detail);
    if (detail === undefined) {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const time = eventTimeOf(entry.Time);
    const event = bus.envelope({
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      ...(time === undefined ? {} : { time }),
    });
    const eventBusName = typeof entry.EventBusName === "string" ? entry.EventBusName : undefined;
    accepted.push({ eventBusName, event });
    return { EventId: event.id };
  });
  return {
    response: {
      FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
      Entries: results,
    },
    accepted,
  };
}

export function testEventPattern(body: { EventPattern?: unknown; Event?: unknown }): {
  Result: boolean;
} {
  let pattern: Record<string, unknown>;
  try {
    pattern = parseEventPattern(body.EventPattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      throw new ServiceError("InvalidEventPatternException", error.message);
    }
    throw error;
  }
  let event: unknown;
  try {
    event = JSON.parse(String(body.Event));
  } catch {
    throw new ServiceError("ValidationException", "Parameter Event is not valid.");
  }
  const missing = missingTestEventFields(event);
  if (missing !== undefined) {
    throw new ServiceError("ValidationException", missing);
  }
  return { Result: matchesEventPattern(pattern, event) };
}

/**
 * The local runtime's clock, for demos and tests: GET tells the time, POST {"advance": "P13D"}
 * or {"reset": true} moves it, then fires the schedules at the new time and waits until every
 * event they caused has been handled.
 */
async function controlClock(
  request: IncomingMessage,
  clock: LocalClock,
  busReady: Promise<LocalEventBus>,
) {
  if (request.method === "POST") {
    const body = JSON.parse((await readBody(request)) || "{}") as {
      advance?: unknown;
      reset?: unknown;
    };
    try {
      if (body.reset === true) clock.reset();
      else clock.advance(String(body.advance));
    } catch (error) {
      throw new ServiceError(
        "ValidationException",
        error instanceof Error ? error.message : String(error),
      );
    }
    const bus = await busReady;
    bus.fireSchedules();
    await bus.idle();
  }
  return { now: clock.now().toISOString(), offsetMs: clock.offset };
}

/**
 * `kp chaos`: POST a fault (`{"fault": "ses-throttle", "rate": 0.5, "for": "30s"}`) to inject
 * it, GET what is in force, DELETE (`?fault=ses-throttle`, `&function=send-notices`) to lift
 * one kind, or all. Every answer lists the faults in force; DELETE also what it lifted (with how
 * many requests each hit).
 */
async function controlChaos(request: IncomingMessage, chaos: Chaos) {
  const url = new URL(request.url ?? "/", "http://local");
  try {
    if (request.method === "POST") {
      const injected = chaos.inject(
        parseChaosRequest(JSON.parse((await readBody(request)) || "{}")),
      );
      return { injected, active: chaos.status() };
    }
    if (request.method === "DELETE") {
      const fault = url.searchParams.get("fault") ?? undefined;
      const lifted = chaos.lift(
        fault as Parameters<Chaos["lift"]>[0],
        url.searchParams.get("function") ?? undefined,
      );
      return { lifted, active: chaos.status() };
    }
  } catch (error) {
    if (error instanceof InvalidChaosRequest || error instanceof SyntaxError) {
      throw new ServiceError("ValidationException", error.message);
    }
    throw error;
  }
  return { active: chaos.status() };
}

/**
 * `kp redrive`: DELETE /_kp/dead-letters/<messageId> once the event is back on the bus; POST
 * /_kp/dead-letters/<messageId>/move-back sends a letter back to the queue it came from.
 */
async function controlDeadLetters(request: IncomingMessage, bus: LocalEventBus) {
  const [, , , id, action] = (request.url ?? "").split("?")[0]?.split("/") ?? [];
  const messageId = decodeURIComponent(id ?? "");
  if (request.method === "POST" && action === "move-back" && messageId !== "") {
    if (!(await bus.moveBack(messageId))) {
      throw new ServiceError("ResourceNotFoundException", `No dead letter ${messageId}`, 404);
    }
    return { movedBack: messageId };
  }
  if (request.method !== "DELETE" || messageId === "" || action !== undefined) {
    throw new ServiceError(
      "ValidationException",
      "DELETE /_kp/dead-letters/<messageId> or POST /_kp/dead-letters/<messageId>/move-back",
    );
  }
  if (!(await bus.deadLetterQueues.remove(messageId))) {
    throw new ServiceError("ResourceNotFoundException", `No dead letter ${messageId}`, 404);
  }
  return { removed: messageId };
}

/**
 * SQS's GetQueueAttributes on the template's dead-letter queues (AWS JSON 1.0, as the SDK sends
 * it), so a function counts the letters waiting with the same call as in AWS. Locally a queue's
 * URL is its name (the template's Ref); a URL's last segment is the name too.
 */
async function queueAttributes(body: Record<string, unknown>, bus: LocalEventBus) {
  const queueName =
    String(body.QueueUrl ?? "")
      .split("/")
      .pop() ?? "";
  const messages = await bus.deadLetterQueues.count(queueName);
  if (messages === undefined) {
    throw new ServiceError(
      "com.amazonaws.sqs#QueueDoesNotExist",
      `The specified queue does not exist: ${queueName}`,
    );
  }
  return {
    Attributes: {
      ApproximateNumberOfMessages: String(messages),
      ApproximateNumberOfMessagesNotVisible: "0",
    },
  };
}

function archivesOf(bus: LocalEventBus): LocalArchives {
  if (bus.archives === undefined) {
    throw new ServiceError("ResourceNotFoundException", "This runtime keeps no archive.");
  }
  return bus.archives;
}

/** A timestamp as the SDK sends it (epoch seconds) or as a person writes it (ISO 8601). */
function timestampOf(value: unknown, parameter: string): Date {
  const time = eventTimeOf(value);
  if (time === undefined) {
    throw new ServiceError("ValidationException", `Parameter ${parameter} is not valid.`);
  }
  return time;
}

function describeReplay(replay: LocalReplay) {
  const seconds = (date: Date | undefined) =>
    date === undefined ? undefined : date.getTime() / 1000;
  return {
    ReplayName: replay.request.replayName,
    ReplayArn: replay.replayArn,
    Description: replay.request.description,
    State: replay.state,
    StateReason: replay.stateReason,
    EventSourceArn: replay.request.eventSourceArn,
    Destination: {
      Arn: replay.request.destination.arn,
      FilterArns: replay.request.destination.filterArns,
    },
    EventStartTime: seconds(replay.request.eventStartTime),
    EventEndTime: seconds(replay.request.eventEndTime),
    EventLastReplayedTime: seconds(replay.eventLastReplayedTime),
    ReplayStartTime: seconds(replay.replayStartTime),
    ReplayEndTime: seconds(replay.replayEndTime),
  };
}

/** StartReplay, DescribeReplay and DescribeArchive on the template's archives. */
function archiveOperation(operation: string, body: Record<string, unknown>, bus: LocalEventBus) {
  const archives = archivesOf(bus);
  try {
    switch (operation) {
      case "DescribeArchive": {
        const { archive, eventSourceArn, eventCount } = archives.describeArchive(
          String(body.ArchiveName ?? ""),
        );
        return {
          ArchiveName: archive.archiveName,
          ArchiveArn: archive.arn,
          EventSourceArn: eventSourceArn,
          EventPattern:
            archive.eventPattern === undefined ? undefined : JSON.stringify(archive.eventPattern),
          State: "ENABLED",
          EventCount: eventCount,
        };
      }
      case "StartReplay": {
        const destination = (body.Destination ?? {}) as { Arn?: unknown; FilterArns?: unknown };
        const replay = archives.startReplay(
          {
            replayName: String(body.ReplayName ?? ""),
            eventSourceArn: String(body.EventSourceArn ?? ""),
            eventStartTime: timestampOf(body.EventStartTime, "EventStartTime"),
            eventEndTime: timestampOf(body.EventEndTime, "EventEndTime"),
            destination: {
              arn: String(destination.Arn ?? ""),
              ...(Array.isArray(destination.FilterArns)
                ? { filterArns: destination.FilterArns.map(String) }
                : {}),
            },
            ...(typeof body.Description === "string" ? { description: body.Description } : {}),
          },
          (eventBusName, event, ruleArns) => bus.publish(eventBusName, event, ruleArns),
        );
        return {
          ReplayArn: replay.replayArn,
          State: replay.state,
          ReplayStartTime: replay.replayStartTime.getTime() / 1000,
        };
      }
      default:
        return describeReplay(archives.describeReplay(String(body.ReplayName ?? "")));
    }
  } catch (error) {
    if (error instanceof ReplayRefused) throw new ServiceError(error.type, error.message);
    throw error;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-requestid": crypto.randomUUID(),
    ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType }),
  });
  response.end(JSON.stringify(body));
}

/**
 * EventBridge's API over AWS JSON 1.1 (POST /, X-Amz-Target: AWSEvents.<Operation>), so the
 * AWS CLI and @aws-sdk/client-eventbridge work unchanged against it.
 */
export function createEventBridgeServer(
  busReady: Promise<LocalEventBus>,
  clock: LocalClock,
  chaos: Chaos,
  log: (line: string) => void = () => undefined,
): Server {
  return createServer(
    guarded("EventBridge", log, async (request, response) => {
      try {
        if (request.method === "GET" && (request.url === "/" || request.url === "/health")) {
          send(response, 200, { service: "EventBridge (kp-workflows local)", status: "ok" });
          return;
        }
        if (request.url === "/_kp/clock") {
          send(response, 200, await controlClock(request, clock, busReady));
          return;
        }
        if ((request.url ?? "").split("?")[0] === "/_kp/chaos") {
          send(response, 200, await controlChaos(request, chaos));
          return;
        }
        if ((request.url ?? "").startsWith("/_kp/dead-letters/")) {
          send(response, 200, await controlDeadLetters(request, await busReady));
          return;
        }
        const target = String(request.headers["x-amz-target"] ?? "");
        const operation = target.startsWith("AWSEvents.")
          ? target.slice("AWSEvents.".length)
          : target;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse((await readBody(request)) || "{}") as Record<string, unknown>;
        } catch {
          throw new ServiceError("SerializationException", "The request body is not valid JSON.");
        }
        switch (operation) {
          case "PutEvents": {
            // Requests that arrive while the app is still being synthesized wait for it.
            const bus = await busReady;
            const outcome = putEvents(bus, body);
            for (const { eventBusName, event } of outcome.accepted)
              bus.publish(eventBusName, event);
            send(response, 200, outcome.response);
            return;
          }
          case "AmazonSQS.GetQueueAttributes":
            send(response, 200, await queueAttributes(body, await busReady));
            return;
          case "TestEventPattern":
            send(response, 200, testEventPattern(body));
            return;
          case "StartReplay":
          case "DescribeReplay":
          case "DescribeArchive":
            send(response, 200, archiveOperation(operation, body, await busReady));
            return;
          default:
            throw new ServiceError(
              "UnknownOperationException",
              `The local EventBridge supports PutEvents, TestEventPattern, StartReplay, DescribeReplay and DescribeArchive (and SQS's GetQueueAttributes on the dead-letter queues), not ${operation || "this request"}.`,
            );
        }
      } catch (error) {
        if (error instanceof ServiceError) {
          send(response, error.status, { __type: error.type, message: error.message }, error.type);
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        log(`! EventBridge: ${request.method} ${request.url} failed: ${message}`);
        send(response, 500, { __type: "InternalException", message }, "InternalException");
      }
    }),
  );
}
