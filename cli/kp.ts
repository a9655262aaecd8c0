import { DETAIL_TYPES } from "../shared/contract/index.js";
import { type ParsedArgs, parseArgs } from "./args.js";
import { chair } from "./commands/chair.js";
import { CHAOS_USAGE, chaos } from "./commands/chaos.js";
import { clock } from "./commands/clock.js";
import { contacts } from "./commands/contacts.js";
import { deadLetters, redrive } from "./commands/dead-letters.js";
import { meetings, report } from "./commands/meetings.js";
import { put } from "./commands/put.js";
import { rejected } from "./commands/rejected.js";
import { replay } from "./commands/replay.js";
import type { Io } from "./commands/shared.js";
import { status } from "./commands/status.js";
import {
  resolveStageTarget,
  resolveTarget,
  type Target,
  type TargetOptions,
  UsageError,
} from "./target.js";

const TARGET_FLAGS = [
  "aws",
  "profile",
  "region",
  "endpoint",
  "table",
  "bus",
  "stage",
  "local-dir",
] as const;

/** Commands that only the local runtime has: no stage's stacks to read. */
const LOCAL_ONLY = new Set(["clock", "chaos"]);

const HELP = `kp — the Khartoum Process secretariat's command line

  kp put <detail-type> [--file detail.json] [--<field> value ...]   put one event
  kp put --file entries.json                                         put PutEvents entries
  kp contacts list                                                   every contact
  kp contacts import <contacts.csv> [--dry-run]                      one Contact Upserted per row
  kp rejected [--limit N]                                            events the system refused, why
  kp meetings list                                                   every meeting, by start
  kp meetings show <meetingId>                                       a meeting and each recipient's notices
  kp report <meetingId>                                              who was reached, member state by member state
  kp contacts show <contactId>                                       everything held about a contact
  kp chair                                                           current and upcoming Chair, history
  kp clock [advance P13D | reset]                                    the local runtime's clock (demos, tests)
  kp status                                                          health at a glance; exit 1: needs attention
  kp dead-letters [--detail-type T] [--id ID] [--queue URL]          events a function failed on, the error, when
  kp dead-letters --delete (--id ID | --detail-type T)               delete letters not to be redriven
  kp redrive [--dry-run] [--detail-type T] [--id ID] [--queue URL]   put them back on the bus, then delete them
  kp replay --from <day|time> --to <day|time> [--no-wait] [--archive NAME]
                                                                     replay the archive's events of that window
  kp chaos <fault> ... | status | lift [fault]                       rehearse an incident (local runtime):

${CHAOS_USAGE.split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}

Detail-types: ${DETAIL_TYPES.map((type) => `"${type}"`).join(", ")} (or kebab-case: contact-upserted)
Fields: --contactId de-1 --name "Erika Mustermann" --memberState DE --roles focal-point,observer
        --venue.city Berlin --audience steering-committee --audience.countries SS,KE --reminders false

Where: the local runtime of \`npm start\` by default (reads .kp-local/runtime.json);
       --aws for AWS, with the SDK's usual settings (AWS_PROFILE, AWS_REGION, or --profile/--region)
       --stage <name> for a deployed stage (default prod): its bus and table come from its stacks'
       outputs; --table <name> and --bus <name> override them.
       Dead letters and replay in AWS: the stage's outputs, or --queue <url> / --archive <name>.
Output: --json for scripts.`;

function targetOptions(args: ParsedArgs): TargetOptions {
  const options: Record<string, unknown> = {};
  for (const flag of TARGET_FLAGS) {
    const value = args.flags.get(flag);
    if (value !== undefined) options[flag] = value;
    args.flags.delete(flag);
  }
  return options as TargetOptions;
}

export async function runKp(argv: string[], io: Io): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const json = args.flags.get("json") === true;
  args.flags.delete("json");
  const command = args.positionals[0];
  if (command === undefined || args.flags.get("help") === true || command === "help") {
    io.out(HELP);
    return command === undefined && args.flags.get("help") !== true ? 2 : 0;
  }
  const options = targetOptions(args);
  let resolved: Target | undefined;
  const target = () => {
    resolved ??= resolveTarget(options);
    return resolved;
  };
  try {
    // In AWS, the stage's stacks name the bus, table and queues (one DescribeStacks each).
    if (options.aws && !LOCAL_ONLY.has(command)) resolved = await resolveStageTarget(options);
    switch (command) {
      case "put":
        return await put(args, target, io, json);
      case "contacts":
        return await contacts(args, target, io, json);
      case "rejected":
        return await rejected(args, target, io, json);
      case "dead-letters":
        return await deadLetters(args, options, target, io, json);
      case "redrive":
        return await redrive(args, options, target, io, json);
      case "replay":
        return await replay(args, options, target, io, json);
      case "meetings":
        return await meetings(args, target, io, json);
      case "chair":
        return await chair(target, io, json);
      case "report":
        return await report(args, target, io, json);
      case "clock":
        return await clock(args, options, io, json);
      case "chaos":
        return await chaos(args, options, io, json);
      case "status":
        return await status(target, io, json);
      default:
        throw new UsageError(`Unknown command "${command}" (see kp --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SyntaxError) {
      io.err(error.message);
      return 2;
    }
    if (
      error instanceof Error &&
      /ECONNREFUSED/.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`)
    ) {
      io.err(`Cannot reach ${resolved?.describe ?? "the target"}: is \`npm start\` running?`);
      return 1;
    }
    throw error;
  } finally {
    resolved?.eventBridge.destroy();
    resolved?.dynamodb.destroy();
  }
}
