/**
 * fast-check arbitraries derived from the contract: the one place property and fault tests take
 * their inputs from. Valid details are built field by field from the zod schemas (their shapes,
 * enums, patterns and maximum lengths) and filtered through the schema itself, so every value
 * they give is one the contract accepts; bad input is any JSON, plus the shapes EventBridge lets
 * through that no schema was written for (deep, huge, beyond a double, __proto__ keys).
 */
import fc from "fast-check";
import type { z } from "zod";
import {
  CONTACT_ROLES,
  CONTRACT_EVENTS,
  chairDesignatedSchema,
  chairHandoverSchema,
  contactRemovedSchema,
  contactUpsertedSchema,
  FIRST_YEAR,
  isTimeZone,
  LANGUAGES,
  LAST_YEAR,
  MEETING_KINDS,
  meetingCancelledSchema,
  meetingRescheduledSchema,
  meetingScheduledSchema,
  secretariatId,
} from "../../shared/contract/index.js";
import { InvalidLocalTime, instantAt } from "../../shared/domain/time.js";
import {
  ISO_COUNTRY_CODES,
  memberStateCodes,
  organisationIds,
} from "../../shared/reference/index.js";

/** The regex a string schema checks (zod 4 keeps it on the check's definition). */
function patternOf(schema: z.ZodType): RegExp {
  const checks = (schema as unknown as { _zod: { def: { checks?: unknown[] } } })._zod.def.checks;
  for (const check of checks ?? []) {
    const pattern = (check as { _zod: { def: { pattern?: RegExp } } })._zod.def.pattern;
    if (pattern !== undefined) return pattern;
  }
  throw new Error("the schema checks no pattern");
}

/** An object schema's fields, also through the transform a schema may end with. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const object = schema as unknown as {
    shape?: Record<string, z.ZodType>;
    in?: { shape?: Record<string, z.ZodType> };
  };
  const shape = object.shape ?? object.in?.shape;
  if (shape === undefined) throw new Error("not an object schema");
  return shape;
}

/** The field's schema inside an optional (`.optional()` wraps it). */
function unwrapped(schema: z.ZodType): z.ZodType {
  const inner = (schema as unknown as { unwrap?: () => z.ZodType }).unwrap;
  return typeof inner === "function" ? inner.call(schema) : schema;
}

/** The maximum length a field's schema allows (single-line text, or multi-line: a pipe). */
function maximumOf(schema: z.ZodType): number {
  const text = unwrapped(schema) as unknown as {
    maxLength?: number | null;
    out?: { maxLength?: number | null };
  };
  const maximum = text.maxLength ?? text.out?.maxLength;
  if (typeof maximum !== "number") throw new Error("the field has no maximum length");
  return maximum;
}

export const idArbitrary = fc.stringMatching(patternOf(secretariatId));

const CONTROL = /\p{Cc}/gu;
/**
 * Text of every kind the contract lets through: any code point (astral, RTL, combining marks,
 * zero-width), quotes and markup, up to the field's maximum length. Half a surrogate pair (from
 * a binary string, or a pair cut at the maximum) is not text the contract takes: it becomes "?".
 */
function textArbitrary(max: number, options: { multiLine?: boolean } = {}) {
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom("مؤتمر", "Khartoum", "é", "😀", "\u200F", "<b>&", '"'),
    },
    { weight: 1, arbitrary: fc.constantFrom(";", ",", "\\", ":", "=?utf-8?q?x?=", "\u202E") },
    ...(options.multiLine === true ? [{ weight: 1, arbitrary: fc.constantFrom("\n", "\t") }] : []),
  );
  const long = fc
    .constant("ok ")
    .chain((word) =>
      fc.integer({ min: 1, max: Math.floor(max / word.length) }).map((n) => word.repeat(n)),
    );
  return fc
    .oneof(
      fc.array(unit, { minLength: 1, maxLength: 20 }).map((parts) => parts.join("")),
      long,
    )
    .map((text) => (options.multiLine === true ? text : text.replace(CONTROL, " ")))
    .map((text) => (options.multiLine === true ? text.replace(/[^\P{Cc}\n\t]/gu, " ") : text))
    .map((text) => text.trim().slice(0, max).trim())
    .map((text) => text.replace(/\p{Cs}/gu, "?"))
    .filter((text) => text.length > 0);
}

function fieldText(schema: z.ZodType, field: string, options: { multiLine?: boolean } = {}) {
  return textArbitrary(maximumOf(shapeOf(schema)[field] as z.ZodType), options);
}

const TIME_ZONES = Intl.supportedValuesOf("timeZone").filter(isTimeZone);
export const timeZoneArbitrary = fc.constantFrom(...TIME_ZONES, "UTC");
export const memberStateArbitrary = fc.constantFrom(...memberStateCodes);

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** A calendar date, edges of the contract's years (and beyond, which the schema filters) included. */
export const calendarDateArbitrary = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 2026, max: 2030 }),
      fc.integer({ min: FIRST_YEAR, max: LAST_YEAR }),
      fc.constantFrom(1, 100, 1999, FIRST_YEAR, 2038, LAST_YEAR, 2200, 9999),
    ),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`);

const localDateTimeArbitrary = fc
  .tuple(calendarDateArbitrary, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([date, hour, minute]) => `${date}T${pad(hour)}:${pad(minute)}`);

/** A start and an end after it, from a minute to a few days later, or years later. */
const meetingTimesArbitrary = fc
  .record({
    startsAt: localDateTimeArbitrary,
    minutes: fc.oneof(
      fc.integer({ min: 1, max: 4 * 24 * 60 }),
      fc.integer({ min: 1, max: 3 * 365 * 24 * 60 }),
    ),
    timeZone: timeZoneArbitrary,
  })
  .map(({ startsAt, minutes, timeZone }) => {
    const start = new Date(`${startsAt}:00Z`);
    const end = new Date(start.getTime() + minutes * 60_000);
    const endsAt = Number.isNaN(end.getTime()) ? startsAt : end.toISOString().slice(0, 16);
    return { startsAt, endsAt, timeZone };
  });

/**
 * Whether the domain takes these times: a wall-clock time a daylight-saving change skips does
 * not exist at the venue, and the domain refuses it with that reason (see time.ts).
 */
export function timesExist(times: { startsAt: string; endsAt: string; timeZone: string }) {
  try {
    return instantAt(times.endsAt, times.timeZone) > instantAt(times.startsAt, times.timeZone);
  } catch (error) {
    if (error instanceof InvalidLocalTime) return false;
    throw error;
  }
}

const venueArbitrary = fc.record(
  {
    city: fieldText(shapeOf(meetingScheduledSchema).venue as z.ZodType, "city"),
    country: fc.oneof(memberStateArbitrary, fc.constantFrom(...ISO_COUNTRY_CODES)),
    name: fieldText(shapeOf(meetingScheduledSchema).venue as z.ZodType, "name"),
  },
  { requiredKeys: ["city", "country"] },
);

const urlArbitrary = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ["https", "http"] }),
  fc.constantFrom(
    "https://khartoumprocess.net/agenda?a=1&b=<2>",
    "https://例え.jp/議題",
    "http://[::1]:8080/x",
    `https://example.org/${"a".repeat(2000)}`,
  ),
);

/** The valid values of the schema among what the arbitrary gives; asserts there are some. */
function accepted<T>(schema: z.ZodType, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arbitrary.filter((value) => schema.safeParse(value).success);
}

export const meetingScheduledArbitrary = accepted(
  meetingScheduledSchema,
  fc
    .record(
      {
        meetingId: idArbitrary,
        kind: fc.constantFrom(...MEETING_KINDS),
        title: fieldText(meetingScheduledSchema, "title"),
        times: meetingTimesArbitrary,
        venue: venueArbitrary,
        audience: fc.oneof(
          fc.constantFrom("steering-committee", "all"),
          fc
            .uniqueArray(memberStateArbitrary, { minLength: 1, maxLength: 5 })
            .map((countries) => ({ countries })),
        ),
        description: fieldText(meetingScheduledSchema, "description", { multiLine: true }),
        agendaUrl: urlArbitrary,
      },
      { requiredKeys: ["meetingId", "kind", "title", "times", "venue", "audience"] },
    )
    .map(({ times, ...meeting }) => ({ ...meeting, ...times })),
);

export const meetingRescheduledArbitrary = accepted(
  meetingRescheduledSchema,
  fc
    .record(
      {
        meetingId: idArbitrary,
        times: meetingTimesArbitrary,
        keepZone: fc.boolean(),
        venue: venueArbitrary,
        reason: fieldText(meetingRescheduledSchema, "reason"),
      },
      { requiredKeys: ["meetingId", "times", "keepZone"] },
    )
    .map(({ times, keepZone, ...change }) => ({
      ...change,
      startsAt: times.startsAt,
      endsAt: times.endsAt,
      ...(keepZone ? {} : { timeZone: times.timeZone }),
    })),
);

export const meetingCancelledArbitrary = accepted(
  meetingCancelledSchema,
  fc.record(
    { meetingId: idArbitrary, reason: fieldText(meetingCancelledSchema, "reason") },
    { requiredKeys: ["meetingId"] },
  ),
);

export const chairDesignatedArbitrary = accepted(
  chairDesignatedSchema,
  fc.record(
    { country: memberStateArbitrary, takesOfficeOn: calendarDateArbitrary },
    { requiredKeys: ["country"] },
  ),
);

export const chairHandoverArbitrary = accepted(
  chairHandoverSchema,
  fc.record(
    {
      from: memberStateArbitrary,
      to: memberStateArbitrary,
      effectiveOn: calendarDateArbitrary,
      meetingId: idArbitrary,
    },
    { requiredKeys: ["from", "to", "effectiveOn"] },
  ),
);

const emailArbitrary = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom("o'brien+kp@example.ie", "a.b-c@sub.example-ministry.gov.et"),
);

export const contactUpsertedArbitrary = accepted(
  contactUpsertedSchema,
  fc
    .record(
      {
        contactId: idArbitrary,
        name: fieldText(contactUpsertedSchema, "name"),
        email: emailArbitrary.filter((email) => email.length <= 254),
        represents: fc.oneof(
          memberStateArbitrary.map((memberState) => ({ memberState })),
          fc.constantFrom(...organisationIds).map((organisation) => ({ organisation })),
        ),
        roles: fc.uniqueArray(fc.constantFrom(...CONTACT_ROLES), { maxLength: 3 }),
        language: fc.constantFrom(...LANGUAGES),
        timeZone: timeZoneArbitrary,
        reminders: fc.boolean(),
      },
      { requiredKeys: ["contactId", "name", "email", "represents"] },
    )
    .map(({ represents, ...contact }) => ({ ...contact, ...represents })),
);

export const contactRemovedArbitrary = accepted(
  contactRemovedSchema,
  fc.record({ contactId: idArbitrary }),
);

/** A valid detail of each detail-type of the contract, by detail-type. */
export const VALID_DETAILS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  "Meeting Scheduled": meetingScheduledArbitrary,
  "Meeting Rescheduled": meetingRescheduledArbitrary,
  "Meeting Cancelled": meetingCancelledArbitrary,
  "Chair Designated": chairDesignatedArbitrary,
  "Chair Handover": chairHandoverArbitrary,
  "Contact Upserted": contactUpsertedArbitrary,
  "Contact Removed": contactRemovedArbitrary,
};

// ---- Bad input: whatever PutEvents accepts as a detail ----

/** Nested `levels` deep, as JSON.parse would give it (built without recursion). */
export function nested(levels: number, inner: unknown = 1, form: "object" | "array" = "object") {
  let value = inner;
  for (let level = 0; level < levels; level += 1) {
    value = form === "object" ? { a: value } : [value];
  }
  return value;
}

/** The keys of a detail-type's schema, so generated JSON reaches past "unknown key". */
function keysOf(detailType: string): string[] {
  const schema = CONTRACT_EVENTS.find((event) => event.detailType === detailType)?.schema;
  if (schema === undefined) throw new Error(`${detailType} is not a detail-type of the contract`);
  return Object.keys(shapeOf(schema));
}

/**
 * Any detail EventBridge would deliver for this detail-type: any JSON, JSON with the schema's
 * keys and any values, deep nesting, huge arrays and text, numbers no double holds, odd keys.
 */
export function anyDetailArbitrary(detailType: string): fc.Arbitrary<unknown> {
  const keys = keysOf(detailType);
  const value = fc.jsonValue({ maxDepth: 4 });
  const withSchemaKeys = fc.dictionary(fc.constantFrom(...keys, "__proto__", "constructor"), value);
  const beyondDouble = fc.constantFrom(
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1.2345678901234568e29,
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue() },
    { weight: 4, arbitrary: withSchemaKeys },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.integer({ min: 33, max: 6000 }), fc.boolean())
        .map(([key, levels, arrays]) => ({
          [key]: nested(levels, 1, arrays ? "array" : "object"),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.integer({ min: 10_001, max: 40_000 }))
        .map(([key, length]) => ({ [key]: Array(length).fill("DE") })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.integer({ min: 1000, max: 256_000 }))
        .map(([key, length]) => ({ [key]: "\u0645".repeat(length) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), beyondDouble)
        .map(([key, number]) => ({ [key]: number })),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: "binary", minLength: 1, maxLength: 5000 })
        .map((key) => ({ [key]: JSON.parse('{"__proto__":{"polluted":true}}') })),
    },
  );
}
