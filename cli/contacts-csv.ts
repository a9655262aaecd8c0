import { parse } from "csv-parse/sync";
import { CONTACT_FIELDS, ContactUpserted } from "../shared/contract/index.js";
import type { EventToPut } from "./put-events.js";
import { validateEvent } from "./put-events.js";

/** The columns of a contacts CSV (the contract's fields); the header row names them, in any order. */
export const CSV_COLUMNS = CONTACT_FIELDS;
const REQUIRED_COLUMNS = ["contactId", "name", "email"];

export interface RefusedRow {
  line: number;
  contactId?: string;
  reason: string;
}

export interface ParsedContacts {
  events: EventToPut[];
  refused: RefusedRow[];
}

function detailOf(row: Record<string, string>): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const column of CSV_COLUMNS) {
    const value = row[column]?.trim();
    if (value === undefined || value === "") continue;
    if (column === "roles") {
      detail.roles = value
        .split(/[;|]/)
        .map((role) => role.trim())
        .filter(Boolean);
    } else if (column === "reminders") {
      const lowered = value.toLowerCase();
      detail.reminders = ["true", "yes", "1"].includes(lowered)
        ? true
        : ["false", "no", "0"].includes(lowered)
          ? false
          : value;
    } else {
      detail[column] = value;
    }
  }
  return detail;
}

/**
 * One Contact Upserted per row. Rows that the contract refuses are reported with their line
 * and reason, and are not sent; a contactId repeated in the file is refused after its first row.
 */
export function contactsFromCsv(text: string): ParsedContacts {
  const records = parse(text, {
    columns: (header: string[]) => header.map((name) => name.trim()),
    skip_empty_lines: true,
    bom: true,
    relax_column_count: true,
    info: true,
  }) as { record: Record<string, string>; info: { lines: number } }[];
  const header = records[0] === undefined ? [] : Object.keys(records[0].record);
  const unknown = header.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
  const missing = REQUIRED_COLUMNS.filter(
    (column) => records.length > 0 && !header.includes(column),
  );
  if (unknown.length > 0 || missing.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`missing column(s) ${missing.join(", ")}`] : []),
      ...(unknown.length > 0 ? [`unknown column(s) ${unknown.join(", ")}`] : []),
    ];
    throw new Error(
      `The CSV header is not usable: ${problems.join("; ")}. Columns: ${CSV_COLUMNS.join(",")}`,
    );
  }
  const events: EventToPut[] = [];
  const refused: RefusedRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const detail = detailOf(record);
    const contactId = typeof detail.contactId === "string" ? detail.contactId : undefined;
    const event: EventToPut = {
      detailType: ContactUpserted.detailType,
      detail,
      label: `line ${info.lines}`,
    };
    const reason = validateEvent(event);
    const firstLine = contactId === undefined ? undefined : seen.get(contactId);
    if (reason !== undefined) {
      refused.push({ line: info.lines, ...(contactId === undefined ? {} : { contactId }), reason });
    } else if (firstLine !== undefined) {
      refused.push({
        line: info.lines,
        ...(contactId === undefined ? {} : { contactId }),
        reason: `contactId ${contactId} already appears on line ${firstLine}`,
      });
    } else {
      if (contactId !== undefined) seen.set(contactId, info.lines);
      events.push(event);
    }
  }
  return { events, refused };
}
