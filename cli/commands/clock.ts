import type { ParsedArgs } from "../args.js";
import { resolveTarget, type TargetOptions, UsageError } from "../target.js";
import type { Io } from "./shared.js";

export async function clock(
  args: ParsedArgs,
  options: TargetOptions,
  io: Io,
  json: boolean,
): Promise<number> {
  const action = args.positionals[1];
  if (options.aws) throw new UsageError("kp clock moves the local runtime's clock only");
  const endpoint = resolveTarget(options).eventBridgeEndpointUrl;
  const body =
    action === "advance"
      ? { advance: args.positionals[2] }
      : action === "reset"
        ? { reset: true }
        : undefined;
  if (action !== undefined && body === undefined)
    throw new UsageError("kp clock [advance <ISO duration> | reset]");
  const response = await fetch(`${endpoint}/_kp/clock`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const answer = (await response.json()) as { now?: string; offsetMs?: number; message?: string };
  if (!response.ok) {
    io.err(answer.message ?? `The clock answered ${response.status}`);
    return 1;
  }
  if (json) io.out(JSON.stringify(answer));
  else {
    const days = ((answer.offsetMs ?? 0) / 86_400_000).toFixed(2);
    io.out(`Local time is ${answer.now} (${days} day(s) ahead of the real clock)`);
  }
  return 0;
}
