import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type LocalConsoleUser, signLocalToken } from "../../local/console-local.js";
import type { LocalStack } from "./local-stack.js";

/** A local sign-in's token, as the console's sign-in page gets it. */
export async function signIn(stack: LocalStack, user: LocalConsoleUser): Promise<string> {
  const response = await fetch(`${stack.runtime.description.webEndpoint}/api/local/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** A token the local pool signed that ran out an hour ago. */
export function expiredToken(stack: LocalStack, user: LocalConsoleUser): string {
  const secret = readFileSync(join(stack.dataDir, "console-secret"), "utf8");
  return signLocalToken(secret, user, new Date(Date.now() - 2 * 3600_000), 3600);
}

/** A meeting a few weeks ahead (venue time), so its notices are sent. */
export function upcomingMeeting(meetingId: string, days = 30) {
  const day = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return {
    meetingId,
    kind: "steering-committee-meeting",
    title: `Steering Committee ${meetingId}`,
    startsAt: `${day}T09:00`,
    endsAt: `${day}T17:00`,
    timeZone: "Europe/Rome",
    venue: { city: "Rome", country: "IT" },
    audience: "steering-committee",
  };
}

export { CHROMIUM } from "../../local/chromium.js";
