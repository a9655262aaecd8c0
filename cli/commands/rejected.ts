import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import type { ParsedArgs } from "../args.js";
import type { Target } from "../target.js";
import type { Io } from "./shared.js";

export async function rejected(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const resolved = target();
  const limitFlag = args.flags.get("limit");
  const limit = typeof limitFlag === "string" ? Number(limitFlag) : 50;
  const repository = new DynamoRejectionRepository(
    createDocumentClient(resolved.dynamodb),
    resolved.tableName(),
  );
  const list = await repository.list({ limit });
  if (json) {
    io.out(JSON.stringify(list));
    return 0;
  }
  if (list.length === 0) {
    io.out("No rejected events.");
    return 0;
  }
  for (const item of list) {
    io.out(
      `${item.eventTime}  ${item.detailType}  ${item.eventId}${item.contactId ? `  contact ${item.contactId}` : ""}`,
    );
    io.out(`  ${item.reason}`);
  }
  io.out(`${list.length} rejected event(s), newest first`);
  return 0;
}
