import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { durationMs } from "../shared/domain/time.js";

/**
 * The local runtime's clock: real time plus an offset that `kp clock advance P13D` moves, kept
 * in the state folder so it survives a restart. Event times and schedules follow it.
 */
export class LocalClock {
  private offsetMs = 0;

  constructor(private readonly file?: string) {
    if (file !== undefined && existsSync(file)) {
      this.offsetMs = Number(JSON.parse(readFileSync(file, "utf8")).offsetMs ?? 0);
    }
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(duration: string): Date {
    const ms = durationMs(duration);
    if (ms <= 0)
      throw new RangeError(`The clock only moves forward; ${duration} is not a step ahead`);
    return this.setOffset(this.offsetMs + ms);
  }

  reset(): Date {
    return this.setOffset(0);
  }

  get offset(): number {
    return this.offsetMs;
  }

  private setOffset(offsetMs: number): Date {
    this.offsetMs = offsetMs;
    if (this.file !== undefined) writeFileSync(this.file, `${JSON.stringify({ offsetMs })}\n`);
    return this.now();
  }
}
