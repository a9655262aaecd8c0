import { z } from "zod";
import { findMemberState, findOrganisation } from "../reference/index.js";

/** Every event of the contract comes from the secretariat. */
export const SOURCE = "kp.secretariat";
/** The bus's default name; ops may set another through CDK context. */
export const DEFAULT_EVENT_BUS_NAME = "khartoum-process";

const CONTROL_CHARACTERS = /\p{Cc}/u;
/**
 * Half of a surrogate pair on its own: JSON can carry one ("\ud909"), but no email header,
 * body or calendar can encode it (UTF-8 has no form for it; it arrives as "\ufffd").
 */
const LONE_SURROGATE = /\p{Cs}/u;
const WELL_FORMED = "must be well-formed Unicode text (it holds half of a surrogate pair)";
const CONTROL_CHARACTERS_BUT_LINE_BREAKS_AND_TABS = /[^\P{Cc}\n\t]/u;

/** Text that ends up in a header or a one-line field: a line break here could inject a header. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), {
      message: "must be a single line without control characters",
    })
    .refine((value) => !LONE_SURROGATE.test(value), { message: WELL_FORMED });

/** Text that may span lines; every line break becomes "\n" (a lone CR would end a line early). */
export const multiLine = (max: number) =>
  z
    .string()
    .transform((value) => value.replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .min(1, "must not be empty")
        .max(max, `must be at most ${max} characters`)
        .refine((value) => !CONTROL_CHARACTERS_BUT_LINE_BREAKS_AND_TABS.test(value), {
          message: "must not contain control characters",
        })
        .refine((value) => !LONE_SURROGATE.test(value), { message: WELL_FORMED }),
    );

export const secretariatId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{2,63}$/,
    "must be 3 to 64 characters: a-z, 0-9 and '-', not starting with '-'",
  );

export const memberStateCode = z.string().refine((code) => findMemberState(code) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a member state of the Khartoum Process`,
});

export const organisationId = z.string().refine((id) => findOrganisation(id) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an organisation of the Khartoum Process`,
});

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return value.includes("/") || value === "UTC";
  } catch {
    return false;
  }
}

/** An IANA zone, spelled as IANA spells it ("europe/berlin" becomes "Europe/Berlin"). */
export const timeZone = z
  .string()
  .refine(isTimeZone, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an IANA time zone (e.g. Europe/Berlin)`,
  })
  .transform((zone) => canonicalTimeZone(zone));

function canonicalTimeZone(zone: string): string {
  const resolved = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  // ICU may resolve to an older alias (Africa/Asmara → Africa/Asmera); keep the given spelling then.
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/**
 * The years a date of the contract may fall in. The Khartoum Process began in 2014; a year such
 * as 0100 or 9999 is a typo, and calendars cannot carry it (RFC 5545 writes four digits, and
 * 9999-12-31 at a venue west of UTC is in the year 10000 there).
 */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2199;
const YEAR_RANGE_MESSAGE = `must be in the years ${FIRST_YEAR} to ${LAST_YEAR}`;

function inYearRange(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** `YYYY-MM-DD`, a date that exists. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((value) => {
    const [year, month, day] = value.split("-").map(Number) as [number, number, number];
    return isRealDate(year, month, day);
  }, "is not a date in the calendar")
  .refine(inYearRange, YEAR_RANGE_MESSAGE);

/** `YYYY-MM-DDTHH:mm`, a wall-clock time at the venue. */
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "must be a local date and time YYYY-MM-DDTHH:mm")
  .refine((value) => {
    const [date = "", time = ""] = value.split("T");
    const [year, month, day] = date.split("-").map(Number) as [number, number, number];
    const [hour, minute] = time.split(":").map(Number) as [number, number];
    return isRealDate(year, month, day) && hour < 24 && minute < 60;
  }, "is not a valid date and time")
  .refine(inYearRange, YEAR_RANGE_MESSAGE);

export const httpsUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048, "must be at most 2048 characters")
  .refine((value) => !CONTROL_CHARACTERS.test(value), "must not contain control characters");

/** What each file of the contract exports: one event, defined once. */
export interface ContractEvent<Schema extends z.ZodType = z.ZodType> {
  readonly source: string;
  readonly detailType: string;
  /** When one handler takes several detail-types (SES's events), all of them. */
  readonly detailTypes?: readonly string[];
  /** The contract's version of this detail's shape. */
  readonly version: number;
  readonly schema: Schema;
}

export function defineEvent<const DetailType extends string, Schema extends z.ZodType>(
  detailType: DetailType,
  schema: Schema,
): ContractEvent<Schema> & { readonly detailType: DetailType } {
  return { source: SOURCE, detailType, version: 1, schema };
}
