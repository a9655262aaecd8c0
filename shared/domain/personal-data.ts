import { CONTACT_FIELDS, PERSONAL_FIELDS } from "../contract/contact-upserted.js";
import { jsonText } from "./json-text.js";

/** What of a contact's detail is not personal data and may stay after erasure. */
const NON_PERSONAL_FIELDS = new Set<string>(
  CONTACT_FIELDS.filter((field) => !PERSONAL_FIELDS.includes(field)),
);

/** The event with every field of its detail that may hold personal data removed and named. */
export function erasePersonalData(event: unknown): unknown {
  if (typeof event !== "object" || event === null) return event;
  const { detail, ...envelope } = event as Record<string, unknown>;
  if (typeof detail !== "object" || detail === null) return { ...envelope, detail };
  const { erased: erasedBefore, ...fields } = detail as Record<string, unknown>;
  const kept = Object.entries(fields).filter(([field]) => NON_PERSONAL_FIELDS.has(field));
  const erased = [
    ...(Array.isArray(erasedBefore) ? erasedBefore.map(String) : []),
    ...Object.keys(fields).filter((field) => !NON_PERSONAL_FIELDS.has(field)),
  ];
  return { ...envelope, detail: { ...Object.fromEntries(kept), erased } };
}

/** What stays of an event kept as text that was cut, once its contact is erased. */
export const ERASED_CUT_EVENT = JSON.stringify({
  erased: "the whole event: it was cut when recorded, so its personal data could not be picked out",
});

/**
 * The erased form of an event kept as JSON text. Text that no longer parses (it was cut) cannot
 * be erased field by field, so none of it stays.
 */
export function erasePersonalDataFromText(text: string, maxBytes: number): string {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return ERASED_CUT_EVENT;
    throw error;
  }
  return jsonText(erasePersonalData(event), maxBytes).text;
}
