import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The project's root: the caches live in its `.kp-local/`, whichever directory runs the app. */
export const PROJECT_DIR = resolve(import.meta.dirname, "..");

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/**
 * Each build's directory, found once per process (the app asks for it once per function):
 * a process that synthesizes, runs the tests or starts the runtime sees its sources as they
 * were when it started.
 */
const cacheDirs = new Map<string, string>();

/**
 * `.kp-local/<kind>/<hash>`: where a build of these sources (paths in the project) with these
 * settings is kept. The same sources and settings build the same files.
 */
export function cacheDirOf(kind: string, settings: string, sources: string[]): string {
  const key = JSON.stringify([kind, settings, sources]);
  let dir = cacheDirs.get(key);
  if (dir === undefined) {
    dir = hashedDir(kind, settings, sources);
    cacheDirs.set(key, dir);
  }
  return dir;
}

/**
 * The sha256 (hex) of these settings and of every file under these sources (paths in `root`),
 * each with its path: what a build or a synthesis made from them is kept by.
 */
export function sourcesHash(root: string, settings: string, sources: string[]): string {
  const hash = createHash("sha256").update(settings).update("\0");
  for (const file of sources.flatMap((source) => filesUnder(join(root, source)))) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

function hashedDir(kind: string, settings: string, sources: string[]): string {
  const hash = sourcesHash(PROJECT_DIR, settings, sources);
  return join(PROJECT_DIR, ".kp-local", kind, hash.slice(0, 32));
}

/** Another process may have built the same sources meanwhile: either copy is the same. */
function keep(building: string, dir: string): void {
  if (existsSync(dir)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, dir);
}

/** The build into `dir`, unless it is there: made in a directory of its own, then renamed. */
export function cachedBuildSync(dir: string, buildInto: (outDir: string) => void): string {
  if (!existsSync(dir)) {
    const building = `${dir}.${process.pid}.tmp`;
    try {
      buildInto(building);
      keep(building, dir);
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }
  return dir;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The same build without blocking, done once however many processes ask at the same time:
 * `npm start` starts the builds while `cdk synth` loads the app, whose own call then waits
 * for them (`dir.lock` names the process building) instead of building them again.
 */
export function cachedBuild(
  dir: string,
  buildInto: (outDir: string) => Promise<void>,
): Promise<void> {
  let building = inFlight.get(dir);
  if (building === undefined) {
    building = buildOnce(dir, buildInto).finally(() => inFlight.delete(dir));
    inFlight.set(dir, building);
  }
  return building;
}

/** The builds this process is making, by directory: a second call waits for the first. */
const inFlight = new Map<string, Promise<void>>();

async function buildOnce(dir: string, buildInto: (outDir: string) => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  while (!existsSync(dir)) {
    const holder = existsSync(lock) ? Number(readFileSync(lock, "utf8")) : undefined;
    // Our own pid is a lock left by an earlier process that had it (this one waits in inFlight).
    if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
      await sleep(50);
      continue;
    }
    mkdirSync(dirname(dir), { recursive: true });
    writeFileSync(lock, String(process.pid));
    const building = `${dir}.${process.pid}.tmp`;
    try {
      await buildInto(building);
      keep(building, dir);
    } finally {
      rmSync(building, { recursive: true, force: true });
      rmSync(lock, { force: true });
    }
  }
}
