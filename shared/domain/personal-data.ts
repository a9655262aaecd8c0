import { CONTACT_FIELDS, PERSONAL_FIELDS } from "../contract/contact-upserted.js";

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
