import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  type DescribeReplayCommandOutput,
  type EventBridgeClient,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import type { ParsedArgs } from "../args.js";
import { archiveName } from "../resources.js";
import { type Target, type TargetOptions, UsageError } from "../target.js";
import { type Io, reportingServiceErrors } from "./shared.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** "2026-11-27" (that day's start, UTC) or an ISO 8601 time with its zone ("…T09:00Z"). */
export function parseReplayTime(flag: string, value: string | true | undefined): Date {
  if (value === undefined || value === true) {
    throw new UsageError(
      `--${flag} takes a day (2026-11-27) or a time with its zone (2026-11-27T09:00Z)`,
    );
  }
  const text = DAY.test(value) ? `${value}T00:00Z` : value;
  const time = new Date(text);
  if (!INSTANT.test(text) || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `--${flag} ${value}: write a day (2026-11-27) or a time with its zone (2026-11-27T09:00Z, 2026-11-27T11:00+02:00)`,
    );
  }
  return time;
}

export interface ReplayWindow {
  archiveName: string;
  from: Date;
  to: Date;
}

/** kp-20261127T000000Z-20261128T000000Z-1a2b3c: says what it replays, and is new each time. */
export function replayNameOf(window: ReplayWindow): string {
  const compact = (date: Date) => date.toISOString().replace(/[-:]|\.\d+/g, "");
  return `kp-${compact(window.from)}-${compact(window.to)}-${randomBytes(3).toString("hex")}`;
}

const FINAL_STATES = new Set(["COMPLETED", "CANCELLED", "FAILED"]);
/** EventBridge's advice: an event may reach the archive up to 10 minutes after it was put. */
const ARCHIVE_DELAY_MS = 10 * 60_000;

/**
 * StartReplay of the archive's events of the window onto the bus they came from (every rule of
 * it), then, unless told not to wait, DescribeReplay every `pollMs` until the replay has ended.
 */
export async function replayArchive(
  eventBridge: EventBridgeClient,
  window: ReplayWindow,
  options: {
    wait: boolean;
    pollMs: number;
    onState?: (replay: DescribeReplayCommandOutput) => void;
  },
): Promise<{ replayName: string; state: string; replay?: DescribeReplayCommandOutput }> {
  if (window.from >= window.to) {
    throw new UsageError(
      `--from (${window.from.toISOString()}) must be before --to (${window.to.toISOString()})`,
    );
  }
  const archive = await eventBridge.send(
    new DescribeArchiveCommand({ ArchiveName: window.archiveName }),
  );
  const replayName = replayNameOf(window);
  const started = await eventBridge.send(
    new StartReplayCommand({
      ReplayName: replayName,
      Description: `kp replay --from ${window.from.toISOString()} --to ${window.to.toISOString()}`,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: window.from,
      EventEndTime: window.to,
      // Back to the bus the archive keeps, to every rule of it.
      Destination: { Arn: archive.EventSourceArn },
    }),
  );
  let state = started.State ?? "STARTING";
  if (!options.wait) return { replayName, state };
  let replay: DescribeReplayCommandOutput | undefined;
  for (;;) {
    replay = await eventBridge.send(new DescribeReplayCommand({ ReplayName: replayName }));
    if (replay.State !== state || FINAL_STATES.has(replay.State ?? "")) options.onState?.(replay);
    state = replay.State ?? state;
    if (FINAL_STATES.has(state)) return { replayName, state, replay };
    await sleep(options.pollMs);
  }
}

export const replay = reportingServiceErrors(replayUnguarded);

async function replayUnguarded(
  args: ParsedArgs,
  options: TargetOptions,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const window: ReplayWindow = {
    archiveName: archiveName(args, options, target().outputs),
    from: parseReplayTime("from", args.flags.get("from")),
    to: parseReplayTime("to", args.flags.get("to")),
  };
  const wait = args.flags.get("no-wait") !== true;
  const resolved = target();
  if (resolved.kind === "aws" && window.to.getTime() > Date.now() - ARCHIVE_DELAY_MS) {
    io.err(
      "Note: an event reaches the archive up to 10 minutes after it was put; those of the last 10 minutes may not be replayed.",
    );
  }
  const result = await replayArchive(resolved.eventBridge, window, {
    wait,
    // EventBridge replays minute by minute; the local runtime at once.
    pollMs: resolved.kind === "aws" ? 10_000 : 100,
    onState: (replay) => {
      if (json) return;
      const last = replay.EventLastReplayedTime?.toISOString();
      io.out(
        `${replay.State}${replay.StateReason ? `: ${replay.StateReason}` : ""}${last ? ` (last event replayed: ${last})` : ""}`,
      );
    },
  });
  if (json) {
    io.out(
      JSON.stringify({
        replayName: result.replayName,
        state: result.state,
        archive: window.archiveName,
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        ...(result.replay === undefined ? {} : { stateReason: result.replay.StateReason }),
      }),
    );
  } else if (!wait) {
    io.out(
      `Replay ${result.replayName} started (${result.state}): ${window.archiveName}, ${window.from.toISOString()} to ${window.to.toISOString()}, to ${resolved.describe}. Follow it with: aws events describe-replay --replay-name ${result.replayName}`,
    );
  } else {
    io.out(
      `Replay ${result.replayName}: ${result.state} (${window.archiveName}, ${window.from.toISOString()} to ${window.to.toISOString()}).`,
    );
  }
  return result.state === "COMPLETED" || !wait ? 0 : 1;
}
