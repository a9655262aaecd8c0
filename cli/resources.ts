import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ParsedArgs } from "./args.js";
import { projectDir, type StageOutputs, type TargetOptions, UsageError } from "./target.js";

/**
 * Where the operations commands find the dead-letter queues and the archive. In AWS: an option
 * or an environment variable if given, else the stage's stack outputs (`--stage`, read with
 * DescribeStacks: KpStateful.FailedEventsQueueUrl, .UndeliveredEventsQueueUrl, .ArchiveName,
 * KpStateless.SesEventsDeadLettersQueueUrl);
 * locally the runtime's own description (runtime.json) has them.
 */

export const DEAD_LETTER_QUEUE_VARIABLES = {
  FailedEvents: "KP_FAILED_EVENTS_QUEUE_URL",
  UndeliveredEvents: "KP_UNDELIVERED_EVENTS_QUEUE_URL",
  SesEventsDeadLetters: "KP_SES_EVENTS_DEAD_LETTERS_QUEUE_URL",
} as const;

/** The local runtime's folder (`--local-dir`, KP_LOCAL_DIR or .kp-local). */
export function localDir(options: TargetOptions): string {
  return resolve(projectDir(), options["local-dir"] ?? process.env.KP_LOCAL_DIR ?? ".kp-local");
}

/**
 * The URLs of the dead-letter queues to read in AWS: `--queue <url>`, both from the environment,
 * or both from the stage's outputs.
 */
export function deadLetterQueueUrls(args: ParsedArgs, outputs: StageOutputs = {}): string[] {
  const queue = args.flags.get("queue");
  if (queue === true) throw new UsageError("--queue takes a queue URL");
  if (queue !== undefined) return [queue];
  const urls = Object.values(DEAD_LETTER_QUEUE_VARIABLES)
    .map((variable) => process.env[variable])
    .filter((url): url is string => url !== undefined && url !== "");
  if (urls.length === 0) {
    const fromOutputs = [
      outputs.failedEventsQueueUrl,
      outputs.undeliveredEventsQueueUrl,
      outputs.sesEventsDeadLettersQueueUrl,
    ].filter((url): url is string => url !== undefined);
    if (fromOutputs.length > 0) return fromOutputs;
    throw new UsageError(
      `Name the dead-letter queues with --queue <url>, or ${Object.values(DEAD_LETTER_QUEUE_VARIABLES).join(" and ")} (cdk deploy prints them as KpStateful.FailedEventsQueueUrl, KpStateful.UndeliveredEventsQueueUrl and KpStateless.SesEventsDeadLettersQueueUrl).`,
    );
  }
  return urls;
}

/** The archive to replay: `--archive <name>`, KP_ARCHIVE_NAME, or (locally) the runtime's. */
export function archiveName(
  args: ParsedArgs,
  options: TargetOptions,
  outputs: StageOutputs = {},
): string {
  const flag = args.flags.get("archive");
  if (flag === true) throw new UsageError("--archive takes the archive's name");
  const name =
    flag ?? process.env.KP_ARCHIVE_NAME ?? (options.aws ? outputs.archiveName : undefined);
  if (name !== undefined) return name;
  if (options.aws) {
    throw new UsageError(
      "Name the archive with --archive <name> or KP_ARCHIVE_NAME (cdk deploy prints it as KpStateful.ArchiveName).",
    );
  }
  return localArchiveName(options);
}

function localArchiveName(options: TargetOptions): string {
  const file = join(localDir(options), "runtime.json");
  if (!existsSync(file)) {
    throw new UsageError(
      `No local runtime found in ${localDir(options)}: start it with \`npm start\` (or pass --aws).`,
    );
  }
  const runtime = JSON.parse(readFileSync(file, "utf8")) as { outputs?: Record<string, string> };
  const name = runtime.outputs?.["KpStateful.ArchiveName"];
  if (name === undefined) {
    throw new UsageError(
      `The local runtime in ${localDir(options)} was started before it kept an archive: start \`npm start\` again.`,
    );
  }
  return name;
}
