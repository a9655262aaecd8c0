import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { contactsFromCsv } from "../../cli/contacts-csv.js";
import { currentChair } from "../../shared/domain/chair.js";
import {
  type ConsoleEvent,
  type ConsoleReads,
  type ConsoleUser,
  checkedEvent,
  consoleOverview,
  consoleUserOf,
  contactList,
  InvalidConsoleEvent,
  meetingList,
  meetingPage,
} from "../../shared/domain/console.js";
import type { HealthReads } from "../../shared/domain/health.js";
import { NothingToPreview, previewMeetingNotice } from "../../shared/notices/preview.js";
import type { Sender } from "../../shared/notices/render.js";

/** The most events one request may put (a CSV import of a hundred contacts is sent in parts). */
export const MAX_EVENTS_PER_REQUEST = 100;

export interface PutOutcome {
  eventId?: string;
  error?: string;
}

export interface ConsoleApiContext {
  reads: ConsoleReads;
  /** The dead-letter queues and SES's account, for the overview. */
  health: HealthReads;
  /** Puts the checked events on the bus, each naming who put it. */
  put(events: ConsoleEvent[], user: ConsoleUser): Promise<PutOutcome[]>;
  sender: Sender;
  now: () => Date;
}

type Result = APIGatewayProxyStructuredResultV2;

function json(statusCode: number, body: unknown): Result {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}

class BadRequest extends Error {
  override name = "BadRequest";
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined) throw new BadRequest("The request has no body.");
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, "base64").toString("utf8")
    : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("The request body is not JSON.");
  }
}

function consoleEvent(value: unknown): ConsoleEvent {
  if (typeof value !== "object" || value === null)
    throw new BadRequest("An event must be an object.");
  const { detailType, detail } = value as Record<string, unknown>;
  if (typeof detailType !== "string") throw new BadRequest("An event needs its detailType.");
  return { detailType, detail };
}

/** The routes of the console's API; every one needs a signed-in user, putting needs an officer. */
export async function routeConsoleRequest(
  event: APIGatewayProxyEventV2,
  context: ConsoleApiContext,
): Promise<Result> {
  const authorizer = (
    event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
  ).authorizer;
  const user = consoleUserOf(authorizer?.jwt?.claims);
  if (user === undefined) return json(401, { message: "Sign in to use the console." });
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, "");
  try {
    return await route(method, path, event, user, context);
  } catch (error) {
    if (error instanceof BadRequest || error instanceof NothingToPreview) {
      return json(400, { message: error.message });
    }
    if (error instanceof InvalidConsoleEvent) {
      return json(400, { message: error.message, issues: error.issues });
    }
    throw error;
  }
}

async function route(
  method: string,
  path: string,
  event: APIGatewayProxyEventV2,
  user: ConsoleUser,
  context: ConsoleApiContext,
): Promise<Result> {
  const { reads } = context;
  const meetingMatch = /^\/api\/meetings\/([^/]+)$/.exec(path);
  if (method === "GET") {
    if (path === "/api/me") return json(200, user);
    if (path === "/api/overview")
      return json(200, await consoleOverview(reads, context.health, context.now()));
    if (path === "/api/meetings") return json(200, await meetingList(reads));
    if (meetingMatch !== null) {
      const page = await meetingPage(reads, decodeURIComponent(meetingMatch[1] ?? ""));
      return page === undefined
        ? json(404, { message: "There is no such meeting." })
        : json(200, page);
    }
    if (path === "/api/contacts") return json(200, await contactList(reads));
    if (path === "/api/chair") return json(200, await currentChair(reads.chair));
    if (path === "/api/rejected") return json(200, await reads.rejections.list({ limit: 200 }));
  }
  if (method === "POST") {
    if (path === "/api/preview") {
      const checked = checkedEvent(consoleEvent(bodyOf(event)));
      return json(200, await previewMeetingNotice(reads, checked, context.sender, context.now()));
    }
    if (path === "/api/contacts/import-preview") {
      const { csv } = bodyOf(event) as { csv?: unknown };
      if (typeof csv !== "string") throw new BadRequest("Send the CSV text as { csv }.");
      const { events, refused } = contactsFromCsv(csv);
      return json(200, {
        events: events.map(({ detailType, detail, label }) => ({ detailType, detail, label })),
        refused,
      });
    }
    if (path === "/api/events") {
      if (user.role !== "officer") {
        return json(403, {
          message: "Only officers may put events; you are signed in as a viewer.",
        });
      }
      const { events } = bodyOf(event) as { events?: unknown };
      if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_REQUEST) {
        throw new BadRequest(`Send 1 to ${MAX_EVENTS_PER_REQUEST} events as { events: [...] }.`);
      }
      // Every event is checked before any is put: a request is put whole or not at all.
      const checked = events.map((candidate) => checkedEvent(consoleEvent(candidate)));
      const results = await context.put(checked, user);
      const failed = results.some((result) => result.error !== undefined);
      return json(failed ? 502 : 200, { results, putBy: user.username });
    }
  }
  return json(404, { message: `No route ${method} ${path}.` });
}
