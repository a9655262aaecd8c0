import { DynamoChairRepository } from "../../shared/adapters/chair-repository.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { DynamoRsvpRepository } from "../../shared/adapters/rsvp-repository.js";
import type { ParsedArgs } from "../args.js";
import type { Target, TargetOptions } from "../target.js";

/** Where a command writes: stdout and stderr, or a test's lists. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function stateRepositories(resolved: Target) {
  const documents = createDocumentClient(resolved.dynamodb);
  const tableName = resolved.tableName();
  return {
    contacts: new DynamoContactRepository(documents, tableName),
    meetings: new DynamoMeetingRepository(documents, tableName),
    notices: new DynamoNoticeRepository(documents, tableName),
    chair: new DynamoChairRepository(documents, tableName),
    rsvps: new DynamoRsvpRepository(documents, tableName),
  };
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * An AWS service's answer to a call (AccessDenied, ResourceNotFound, QueueDoesNotExist...) as
 * one line for the person at the terminal, or undefined for any other error.
 */
export function serviceErrorLine(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("$metadata" in error)) return undefined;
  return `${error.name}: ${error.message}`;
}

/** An operations command: it reads the target's queues or archive besides its table. */
export type OperationsCommand = (
  args: ParsedArgs,
  options: TargetOptions,
  target: () => Target,
  io: Io,
  json: boolean,
) => Promise<number>;

/** The command, with an AWS service's refusal reported on one line (exit 1), not as a stack. */
export function reportingServiceErrors(command: OperationsCommand): OperationsCommand {
  return async (args, options, target, io, json) => {
    try {
      return await command(args, options, target, io, json);
    } catch (error) {
      const line = serviceErrorLine(error);
      if (line === undefined) throw error;
      io.err(line);
      return 1;
    }
  };
}
