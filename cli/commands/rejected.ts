import { join, resolve } from "node:path";
import { DeadLetterQueues } from "../../local/dead-letters.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import type { ParsedArgs } from "../args.js";
import { projectDir, type Target, type TargetOptions } from "../target.js";
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

export async function deadLetters(io: Io, json: boolean, options: TargetOptions): Promise<number> {
  const dir = resolve(
    projectDir(),
    options["local-dir"] ?? process.env.KP_LOCAL_DIR ?? ".kp-local",
  );
  const letters = await new DeadLetterQueues(join(dir, "dead-letters"), []).list();
  if (json) io.out(JSON.stringify(letters));
  else {
    for (const letter of letters)
      io.out(
        `${letter.sentAt}  ${letter.queueName}  ${Object.values(letter.attributes).join("  ")}`,
      );
    io.out(`${letters.length} dead letter(s)`);
  }
  return 0;
}
