import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { consoleSecurityHeaders } from "../shared/platform/console-headers.js";

/**
 * The local stand-in for the console's Cognito user pool: two built-in users, one per group,
 * and HS256 tokens signed with a secret kept in the runtime's directory. Local only: `npm start`
 * listens on 127.0.0.1.
 */
export const LOCAL_CONSOLE_USERS = {
  officer: { username: "local-officer", groups: ["officers"], role: "officer" },
  viewer: { username: "local-viewer", groups: ["viewers"], role: "viewer" },
} as const;
export type LocalConsoleUser = keyof typeof LOCAL_CONSOLE_USERS;

/** How long a local sign-in lasts, as the pool's ID tokens (1 hour) would, a working day here. */
export const LOCAL_TOKEN_SECONDS = 8 * 3600;
const ISSUER = "kp-local-console";

export function localConsoleSecret(dataDir: string): string {
  const file = join(dataDir, "console-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8");
}

const base64Url = (value: Buffer | string) => Buffer.from(value).toString("base64url");
const signature = (secret: string, signed: string) =>
  createHmac("sha256", secret).update(signed).digest("base64url");

export function signLocalToken(
  secret: string,
  user: LocalConsoleUser,
  now: Date,
  seconds = LOCAL_TOKEN_SECONDS,
): string {
  const { username, groups } = LOCAL_CONSOLE_USERS[user];
  const issuedAt = Math.floor(now.getTime() / 1000);
  const signed = `${base64Url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64Url(
    JSON.stringify({
      iss: ISSUER,
      sub: username,
      "cognito:username": username,
      "cognito:groups": groups,
      iat: issuedAt,
      exp: issuedAt + seconds,
    }),
  )}`;
  return `${signed}.${signature(secret, signed)}`;
}

/**
 * The claims of a valid, unexpired token from the Authorization header, as the HTTP API's JWT
 * authorizer hands them to the function (the groups as "[officers]"); undefined otherwise.
 */
export function verifyLocalToken(
  secret: string,
  authorization: string | undefined,
  now: Date,
): Record<string, unknown> | undefined {
  const token = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const [header = "", payload = "", given = ""] = token.split(".");
  const expected = Buffer.from(signature(secret, `${header}.${payload}`));
  const received = Buffer.from(given);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
  if (claims.iss !== ISSUER || typeof claims.exp !== "number") return undefined;
  if (claims.exp * 1000 <= now.getTime()) return undefined;
  const groups = Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"] : [];
  return { ...claims, "cognito:groups": `[${groups.join(" ")}]` };
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * What the local web server answers before the HTTP API's routes: the local sign-in, the
 * console's configuration, and the built console's files (CloudFront's part in AWS).
 */
export function consoleFront(options: {
  /** The built console in the cloud assembly; undefined when the assembly has none. */
  siteDir: () => string | undefined;
  secret: string;
  now: () => Date;
}) {
  const headers = consoleSecurityHeaders();
  return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname === "/api/local/sign-in" && request.method === "POST") {
      const body = (await readJson(request)) as { user?: unknown } | undefined;
      const user = body?.user;
      if (user !== "officer" && user !== "viewer") {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: 'Sign in as { "user": "officer" | "viewer" }.' }));
        return true;
      }
      const token = signLocalToken(options.secret, user, options.now());
      const { username, role } = LOCAL_CONSOLE_USERS[user];
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ token, username, role, local: true }));
      return true;
    }
    const site = options.siteDir();
    if (
      site === undefined ||
      url.pathname.startsWith("/api/") ||
      url.pathname.startsWith("/rsvp/")
    ) {
      return false;
    }
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    if (url.pathname === "/config.json") {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ auth: "local", apiUrl: "" }));
      return true;
    }
    const wanted = normalize(join(site, decodeURIComponent(url.pathname)));
    const isFile =
      wanted.startsWith(`${site}${sep}`) && existsSync(wanted) && statSync(wanted).isFile();
    // The console routes in the browser: any other path is its index, as CloudFront answers.
    const file = isFile ? wanted : join(site, "index.html");
    response.writeHead(200, {
      ...headers,
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control":
        isFile && file.includes(`${sep}assets${sep}`) ? "max-age=31536000" : "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : readFileSync(file));
    return true;
  };
}
