import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { LocalFunction } from "./cloud-assembly.js";
import type { InvocationResult } from "./lambda-service.js";

/** One route of the HTTP API, served by a function of the cloud assembly. */
export interface LocalRoute {
  /** "/rsvp/": the path's first segment after it is the {token} parameter. */
  prefix: string;
  parameter: string;
  /** The rest of the path, slashes and all (API Gateway's `{proxy+}`). */
  greedy?: boolean;
  /**
   * The route's JWT authorizer: the claims of the request's valid token, or undefined, which is
   * answered 401 before the function is invoked, as API Gateway does.
   */
  authorize?: (authorization: string | undefined) => Record<string, unknown> | undefined;
  fn: () => LocalFunction | undefined;
}

/** Answers a request itself (true) or leaves it to the routes (false). */
export type LocalHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean>;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The event API Gateway's HTTP API (payload format 2.0) gives a Lambda integration. */
export function httpApiEvent(input: {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  now: Date;
  /** The JWT authorizer's claims, when the route has one. */
  claims?: Record<string, unknown>;
}) {
  return {
    version: "2.0",
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: input.query,
    headers: input.headers,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: input.headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: input.method,
        path: input.path,
        protocol: "HTTP/1.1",
        sourceIp: input.sourceIp,
        userAgent: input.headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: input.routeKey,
      stage: "$default",
      time: input.now.toUTCString(),
      timeEpoch: input.now.getTime(),
      ...(input.claims === undefined
        ? {}
        : { authorizer: { jwt: { claims: input.claims, scopes: null } } }),
    },
    pathParameters: input.pathParameters,
    ...(input.body.length === 0
      ? {}
      : { body: input.body.toString("base64"), isBase64Encoded: true }),
    ...(input.body.length === 0 ? { isBase64Encoded: false } : {}),
  };
}

interface HttpResult {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * The local front of the HTTP API (and, later, of the secretariat's console on the same port):
 * a request under a route's prefix invokes its function, as API Gateway would, and answers
 * what the function returns; anything else is 404.
 */
export function createWebServer(
  routes: LocalRoute[],
  invoke: (fn: LocalFunction, event: unknown) => Promise<InvocationResult>,
  now: () => Date,
  log: (line: string) => void = () => undefined,
  /** Asked first: the console's sign-in and files locally. */
  before?: LocalHandler,
): Server {
  return createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://local");
      if (before !== undefined && (await before(request, response, url))) return;
      const route = routes.find((candidate) => url.pathname.startsWith(candidate.prefix));
      const value = route === undefined ? "" : url.pathname.slice(route.prefix.length);
      const fn = route?.fn();
      if (
        route === undefined ||
        fn === undefined ||
        value === "" ||
        (value.includes("/") && route.greedy !== true)
      ) {
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("Not Found");
        return;
      }
      const method = request.method ?? "GET";
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, header]) => [
          name.toLowerCase(),
          Array.isArray(header) ? header.join(",") : String(header ?? ""),
        ]),
      );
      const claims = route.authorize?.(headers.authorization);
      if (route.authorize !== undefined && claims === undefined) {
        response.writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": "Bearer",
        });
        response.end(JSON.stringify({ message: "Unauthorized" }));
        return;
      }
      const event = httpApiEvent({
        method,
        path: url.pathname,
        query: url.search.slice(1),
        headers,
        body: await readBody(request),
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        routeKey: `${method} ${route.prefix}{${route.parameter}${route.greedy ? "+" : ""}}`,
        pathParameters: { [route.parameter]: decodeURIComponent(value) },
        now: now(),
        ...(claims === undefined ? {} : { claims }),
      });
      const result = await invoke(fn, event);
      if (!result.ok) {
        log(
          `✗ ${method} ${route.prefix}… → ${fn.name}: ${result.error.errorType}: ${result.error.errorMessage}`,
        );
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: "Internal Server Error" }));
        return;
      }
      const answer = (result.result ?? {}) as HttpResult;
      const body =
        answer.body === undefined
          ? Buffer.alloc(0)
          : Buffer.from(answer.body, answer.isBase64Encoded ? "base64" : "utf8");
      response.writeHead(answer.statusCode ?? 200, answer.headers ?? {});
      response.end(body);
    })().catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
}
