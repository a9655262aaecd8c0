import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonText } from "../shared/domain/json-text.js";
import type { LocalArchive } from "./cloud-assembly.js";
import type { EventEnvelope } from "./event-bus.js";
import { matchesEventPattern } from "./event-pattern.js";

/** A request EventBridge refuses, with its error type (ResourceNotFoundException, ...). */
export class ReplayRefused extends Error {
  override name = "ReplayRefused";
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export type ReplayState = "STARTING" | "RUNNING" | "COMPLETED" | "FAILED";

export interface ReplayRequest {
  replayName: string;
  eventSourceArn: string;
  eventStartTime: Date;
  eventEndTime: Date;
  destination: { arn: string; filterArns?: string[] };
  description?: string;
}

export interface LocalReplay {
  request: ReplayRequest;
  replayArn: string;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: Date;
  replayEndTime?: Date;
  eventLastReplayedTime?: Date;
  /** How many archived events it put back on the bus. */
  replayed: number;
}

/** Puts one replayed event on a bus, to every rule or only to the rules named. */
export type ReplayPublisher = (
  eventBusName: string,
  event: EventEnvelope,
  ruleArns?: string[],
) => void;

const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/**
 * The archives of the template, kept as JSON lines under the local data folder: each keeps the
 * events of its bus that its pattern matches (a replayed event is not archived again), and
 * replays the events of a time window to the bus's rules with `replay-name` set, as
 * EventBridge's StartReplay does. A replay's record lives until the runtime stops; the events it
 * put on the bus are journalled like any other.
 */
export class LocalArchives {
  private readonly replays = new Map<string, LocalReplay>();

  constructor(
    private readonly directory: string,
    private readonly archives: LocalArchive[],
    private readonly environment: { account: string; region: string; now: () => Date },
  ) {}

  /** Keeps the event in every archive of its bus whose pattern matches; before it is routed. */
  record(eventBusName: string, event: EventEnvelope): void {
    if (event["replay-name"] !== undefined) return;
    for (const archive of this.archives) {
      if (archive.eventBusName !== eventBusName) continue;
      if (archive.eventPattern !== undefined && !matchesEventPattern(archive.eventPattern, event))
        continue;
      mkdirSync(this.directory, { recursive: true });
      appendFileSync(this.fileOf(archive), `${jsonText(event).text}\n`);
    }
  }

  /** Every event the archive keeps, in the order it arrived. */
  events(archiveName: string): EventEnvelope[] {
    const archive = this.archiveNamed(archiveName);
    const file = this.fileOf(archive);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EventEnvelope);
  }

  describeArchive(archiveName: string) {
    const archive = this.archiveNamed(archiveName);
    return {
      archive,
      eventSourceArn: this.busArn(archive.eventBusName),
      eventCount: this.events(archiveName).length,
    };
  }

  /** Starts a replay (STARTING); it runs once the caller has answered. */
  startReplay(request: ReplayRequest, publish: ReplayPublisher): LocalReplay {
    if (!REPLAY_NAME.test(request.replayName)) {
      throw new ReplayRefused(
        "ValidationException",
        `Parameter ReplayName is not valid: 1 to 64 of [.-_A-Za-z0-9], not ${JSON.stringify(request.replayName)}.`,
      );
    }
    if (this.replays.has(request.replayName)) {
      throw new ReplayRefused(
        "ResourceAlreadyExistsException",
        `Replay ${request.replayName} already exists.`,
      );
    }
    const archive = this.archives.find((candidate) => candidate.arn === request.eventSourceArn);
    if (archive === undefined) {
      throw new ReplayRefused(
        "ResourceNotFoundException",
        `Archive ${request.eventSourceArn} does not exist.`,
      );
    }
    if (request.destination.arn !== this.busArn(archive.eventBusName)) {
      throw new ReplayRefused(
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
      );
    }
    if (
      Number.isNaN(request.eventStartTime.getTime()) ||
      Number.isNaN(request.eventEndTime.getTime()) ||
      request.eventStartTime >= request.eventEndTime
    ) {
      throw new ReplayRefused(
        "ValidationException",
        "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
      );
    }
    const replay: LocalReplay = {
      request,
      replayArn: `arn:aws:events:${this.environment.region}:${this.environment.account}:replay/${request.replayName}`,
      state: "STARTING",
      replayStartTime: this.environment.now(),
      replayed: 0,
    };
    this.replays.set(request.replayName, replay);
    setImmediate(() => this.run(replay, archive, publish));
    return { ...replay };
  }

  describeReplay(replayName: string): LocalReplay {
    const replay = this.replays.get(replayName);
    if (replay === undefined) {
      throw new ReplayRefused("ResourceNotFoundException", `Replay ${replayName} does not exist.`);
    }
    return { ...replay };
  }

  private run(replay: LocalReplay, archive: LocalArchive, publish: ReplayPublisher): void {
    replay.state = "RUNNING";
    const { eventStartTime, eventEndTime, destination, replayName } = replay.request;
    try {
      // EventBridge replays by the time in the event, oldest first.
      const inWindow = this.events(archive.archiveName)
        .filter((event) => {
          const time = Date.parse(event.time);
          return time >= eventStartTime.getTime() && time < eventEndTime.getTime();
        })
        .sort((a, b) => a.time.localeCompare(b.time));
      for (const event of inWindow) {
        publish(
          archive.eventBusName,
          { ...event, "replay-name": replayName },
          destination.filterArns,
        );
        replay.replayed += 1;
        replay.eventLastReplayedTime = new Date(event.time);
      }
      replay.state = "COMPLETED";
      replay.stateReason = `Replay completed: ${replay.replayed} event(s) replayed.`;
    } catch (error) {
      replay.state = "FAILED";
      replay.stateReason = (error instanceof Error ? error.message : String(error)).slice(0, 512);
    }
    replay.replayEndTime = this.environment.now();
  }

  private archiveNamed(archiveName: string): LocalArchive {
    const archive = this.archives.find(
      (candidate) => candidate.archiveName === archiveName || candidate.arn === archiveName,
    );
    if (archive === undefined) {
      throw new ReplayRefused(
        "ResourceNotFoundException",
        `Archive ${archiveName} does not exist.`,
      );
    }
    return archive;
  }

  private fileOf(archive: LocalArchive): string {
    return join(this.directory, `${archive.archiveName}.jsonl`);
  }

  private busArn(eventBusName: string): string {
    return `arn:aws:events:${this.environment.region}:${this.environment.account}:event-bus/${eventBusName}`;
  }
}
