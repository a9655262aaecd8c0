import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { RSVP_ANSWERS, type RsvpAnswer } from "./rsvp.js";

/** What a link's token says: this contact answers this to this meeting, until then. */
export interface RsvpClaims {
  meetingId: string;
  contactId: string;
  answer: RsvpAnswer;
  /** After this instant the link answers nothing. */
  expiresAt: Date;
}

/** The token was altered, is not one of ours, or has expired: nothing is recorded. */
export class RsvpTokenRefused extends Error {
  override name = "RsvpTokenRefused";

  constructor(
    readonly problem: "malformed" | "tampered" | "expired",
    message: string,
  ) {
    super(message);
  }
}

const payloadSchema = z.strictObject({
  m: z.string().min(1).max(200),
  c: z.string().min(1).max(200),
  a: z.enum(RSVP_ANSWERS),
  /** Expiry, seconds since the epoch. */
  e: z.number().int().positive(),
});

/** A stop-reminders link's payload: this contact wants no more reminders. */
const stopPayloadSchema = z.strictObject({
  c: z.string().min(1).max(200),
  s: z.literal("reminders"),
  e: z.number().int().positive(),
});

/** What a stop-reminders link's token says: this contact stops their reminders, until then. */
export interface StopRemindersClaims {
  contactId: string;
  expiresAt: Date;
}

/** What any link of a notice says: an answer to a meeting, or stop the reminders. */
export type LinkClaims =
  | ({ kind: "answer" } & RsvpClaims)
  | ({ kind: "stop-reminders" } & StopRemindersClaims);

function signature(payload: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

/**
 * `<payload>.<signature>`, both base64url: the payload is JSON with the meeting, the contact,
 * the answer and the expiry; the signature is HMAC-SHA256 of the payload with the secret. A
 * link carries everything needed to answer, so no login is needed and nothing is stored.
 */
export function signRsvpToken(claims: RsvpClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      m: claims.meetingId,
      c: claims.contactId,
      a: claims.answer,
      e: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString("base64url");
  return `${payload}.${signature(payload, secret).toString("base64url")}`;
}

/** A stop-reminders link's token, signed as the answer links are (same secret, same form). */
export function signStopRemindersToken(claims: StopRemindersClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      c: claims.contactId,
      s: "reminders",
      e: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString("base64url");
  return `${payload}.${signature(payload, secret).toString("base64url")}`;
}

/** The answer link's claims, if its signature is ours and it has not expired at `now`. */
export function verifyRsvpToken(token: string, secret: string, now: Date): RsvpClaims {
  const claims = verifyLinkToken(token, secret, now);
  if (claims.kind !== "answer") {
    throw new RsvpTokenRefused("malformed", "The link's token is not an answer.");
  }
  const { kind: _kind, ...answer } = claims;
  return answer;
}

/** Any link's claims, if its signature is ours and it has not expired at `now`. */
export function verifyLinkToken(token: string, secret: string, now: Date): LinkClaims {
  const [payload, signed, ...rest] = token.split(".");
  if (payload === undefined || signed === undefined || rest.length > 0 || payload === "") {
    throw new RsvpTokenRefused("malformed", "The link's token is not a token.");
  }
  const expected = signature(payload, secret);
  const given = Buffer.from(signed, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new RsvpTokenRefused("tampered", "The link's token does not carry our signature.");
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch (error) {
    throw new RsvpTokenRefused("malformed", `The link's token is not JSON: ${String(error)}`);
  }
  const answer = payloadSchema.safeParse(decoded);
  const stop = stopPayloadSchema.safeParse(decoded);
  const claims: LinkClaims | undefined = answer.success
    ? {
        kind: "answer",
        meetingId: answer.data.m,
        contactId: answer.data.c,
        answer: answer.data.a,
        expiresAt: new Date(answer.data.e * 1000),
      }
    : stop.success
      ? { kind: "stop-reminders", contactId: stop.data.c, expiresAt: new Date(stop.data.e * 1000) }
      : undefined;
  if (claims === undefined) {
    throw new RsvpTokenRefused("malformed", "The link's token lacks what an answer needs.");
  }
  if (claims.expiresAt <= now) {
    throw new RsvpTokenRefused("expired", `The link expired at ${claims.expiresAt.toISOString()}.`);
  }
  return claims;
}
