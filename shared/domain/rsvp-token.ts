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

/** The token's claims, if its signature is ours and it has not expired at `now`. */
export function verifyRsvpToken(token: string, secret: string, now: Date): RsvpClaims {
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
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success) {
    throw new RsvpTokenRefused("malformed", "The link's token lacks what an answer needs.");
  }
  const expiresAt = new Date(parsed.data.e * 1000);
  if (expiresAt <= now) {
    throw new RsvpTokenRefused("expired", `The link expired at ${expiresAt.toISOString()}.`);
  }
  return {
    meetingId: parsed.data.m,
    contactId: parsed.data.c,
    answer: parsed.data.a,
    expiresAt,
  };
}
