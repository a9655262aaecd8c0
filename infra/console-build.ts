import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDirOf, cachedBuild, cachedBuildSync, PROJECT_DIR } from "./build-cache.js";

/** What the built console is made of. */
const CONSOLE_SOURCES = [
  "console/src",
  "console/index.html",
  "console/vite.config.ts",
  "shared",
  "package-lock.json",
];

/** `.kp-local/console-builds/<hash>`: a production build whatever runs it (vitest sets NODE_ENV=test). */
function consoleBuildDir(): string {
  return cacheDirOf("console-builds", "NODE_ENV=production", CONSOLE_SOURCES);
}

/** `vite build` into outDir. */
function viteBuild(outDir: string) {
  return {
    command: join(PROJECT_DIR, "node_modules", ".bin", "vite"),
    args: [
      "build",
      "--config",
      join("console", "vite.config.ts"),
      "--outDir",
      outDir,
      "--emptyOutDir",
    ],
    options: { cwd: PROJECT_DIR, env: { ...process.env, NODE_ENV: "production" } },
  };
}

/**
 * The console built by `vite build`, once per change of its sources: the console's asset is a
 * copy of it, so `npm start` serves what `cdk deploy` ships.
 */
export function consoleBuild(): string {
  return cachedBuildSync(consoleBuildDir(), (outDir) => {
    const { command, args, options } = viteBuild(outDir);
    execFileSync(command, args, { ...options, stdio: ["ignore", "ignore", "inherit"] });
  });
}

/** The same build without blocking, started while the CDK app loads (see infra/main.ts). */
export async function prepareConsoleBuild(): Promise<void> {
  await cachedBuild(consoleBuildDir(), async (outDir) => {
    const { command, args, options } = viteBuild(outDir);
    const { stderr } = await promisify(execFile)(command, args, options);
    process.stderr.write(stderr);
  });
}
