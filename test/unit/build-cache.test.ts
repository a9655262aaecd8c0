import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachedBuild, cachedBuildSync } from "../../infra/build-cache.js";

/** A build that writes one file into its directory and counts itself. */
function countedBuild() {
  const builds: string[] = [];
  return {
    builds,
    async build(outDir: string) {
      builds.push(outDir);
      await sleep(20);
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, "index.mjs"), "export const handler = () => 1;");
    },
  };
}

describe("the build caches (the functions' bundles, the console)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "kp-build-cache-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("builds once per directory, then finds the build there", () => {
    // Prepare
    const dir = join(root, "builds", "abc");
    let builds = 0;
    const build = (outDir: string) => {
      builds += 1;
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, "index.mjs"), "first");
    };
    // Act
    const first = cachedBuildSync(dir, build);
    const second = cachedBuildSync(dir, build);
    // Assess
    expect([first, second]).toEqual([dir, dir]);
    expect(builds).toBe(1);
    expect(readFileSync(join(dir, "index.mjs"), "utf8")).toBe("first");
  });

  it("makes two builds asked for at once only once", async () => {
    // Prepare
    const dir = join(root, "builds", "same");
    const { builds, build } = countedBuild();
    // Act
    await Promise.all([cachedBuild(dir, build), cachedBuild(dir, build)]);
    // Assess
    expect(builds).toHaveLength(1);
    expect(existsSync(join(dir, "index.mjs"))).toBe(true);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("waits for the process that holds the lock instead of building again", async () => {
    // Prepare: another process (npm start) holds the lock and finishes the build 300 ms later.
    const dir = join(root, "builds", "held");
    const other = spawn(process.execPath, [
      "-e",
      `const fs = require("node:fs");
       fs.mkdirSync(${JSON.stringify(join(root, "builds"))}, { recursive: true });
       fs.writeFileSync(${JSON.stringify(`${dir}.lock`)}, String(process.pid));
       setTimeout(() => { fs.mkdirSync(${JSON.stringify(dir)}); fs.rmSync(${JSON.stringify(`${dir}.lock`)}); }, 300);`,
    ]);
    const exited = new Promise((resolve) => other.on("exit", resolve));
    while (!existsSync(`${dir}.lock`)) await sleep(10);
    const { builds, build } = countedBuild();
    // Act
    await cachedBuild(dir, build);
    // Assess
    expect(builds).toHaveLength(0);
    expect(existsSync(dir)).toBe(true);
    await exited;
  });

  it("builds itself when the lock's process is gone (a start stopped mid-build)", async () => {
    // Prepare: a lock left by a process that no longer runs.
    const dir = join(root, "builds", "stale");
    const gone = spawn(process.execPath, ["-e", "0"]);
    await new Promise((resolve) => gone.on("exit", resolve));
    mkdirSync(join(root, "builds"));
    writeFileSync(`${dir}.lock`, String(gone.pid));
    const { builds, build } = countedBuild();
    // Act
    await cachedBuild(dir, build);
    // Assess
    expect(builds).toHaveLength(1);
    expect(existsSync(join(dir, "index.mjs"))).toBe(true);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("keeps nothing of a failed build and passes its error on", async () => {
    // Prepare
    const dir = join(root, "builds", "broken");
    // Act
    const failing = cachedBuild(dir, async (outDir) => {
      mkdirSync(outDir);
      writeFileSync(join(outDir, "index.mjs"), "half");
      throw new Error('Could not resolve "./missing.js"');
    });
    // Assess
    await expect(failing).rejects.toThrow(/missing\.js/);
    expect(readdirSync(join(root, "builds"))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
