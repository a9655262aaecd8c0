import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sourcesHash } from "../infra/build-cache.js";

/** What the cloud assembly is built from: a change to any of these means synthesizing again. */
const SOURCES = [
  "infra",
  "functions",
  "shared",
  // The functions' bundles take what they share with the CLI (e.g. cli/contacts-csv.ts).
  "cli",
  "console/src",
  "console/index.html",
  "console/vite.config.ts",
  "cdk.json",
  "package-lock.json",
  "tsconfig.json",
];
const STAMP = ".kp-sources.sha256";

export function sourceHash(projectDir: string, context: Record<string, string> = {}): string {
  return sourcesHash(projectDir, JSON.stringify(context), SOURCES);
}

export class SynthesisFailed extends Error {
  override name = "SynthesisFailed";
}

/**
 * Synthesizes the CDK app (`cdk synth`, exactly as ops do before a deploy) into `assemblyDir`,
 * unless the assembly there was built from the same sources.
 */
export async function ensureCloudAssembly(
  projectDir: string,
  assemblyDir: string,
  log: (line: string) => void = () => undefined,
  /** Context values, as `cdk synth -c name=value` takes them (the benchmark sets the SES rate). */
  context: Record<string, string> = {},
): Promise<{ synthesized: boolean; durationMs: number }> {
  const started = performance.now();
  const hash = sourceHash(projectDir, context);
  const stampFile = join(assemblyDir, STAMP);
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) {
    return { synthesized: false, durationMs: performance.now() - started };
  }
  log(`synthesizing the CDK app into ${relative(projectDir, assemblyDir) || assemblyDir} ...`);
  // The functions' bundles and the console are built here while `cdk synth` starts and loads
  // the app, which then waits for these builds (infra/build-cache.ts) instead of making its own.
  // A failed build is built again by the app, whose error the synthesis then reports.
  // (Imported here: a restart, which synthesizes nothing, does not load esbuild.)
  const { prepareConsoleBuild } = await import("../infra/console-build.js");
  const { prepareFunctionBundles } = await import("../infra/function-bundles.js");
  const builds = Promise.all([prepareFunctionBundles(), prepareConsoleBuild()]).catch(
    () => undefined,
  );
  const cdk = join(projectDir, "node_modules", ".bin", "cdk");
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const contextArgs = Object.entries(context).flatMap(([name, value]) => [
      "-c",
      `${name}=${value}`,
    ]);
    const child = spawn(cdk, ["synth", "--quiet", "--output", assemblyDir, ...contextArgs], {
      cwd: projectDir,
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: "true",
        CDK_DISABLE_CLI_TELEMETRY: "true",
        // CDK's built-in check of the templates against CloudFormation's schemas takes most of
        // a synthesis (about 7 s of CPU); it changes nothing in the assembly, and `cdk synth`,
        // `cdk deploy` and the infra tests still run it. cdk-nag still runs here.
        CDK_VALIDATION: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", reject);
    child.on("close", resolve);
  });
  await builds;
  if (code !== 0) {
    throw new SynthesisFailed(
      `cdk synth failed (exit ${code}):\n${Buffer.concat(output).toString()}`,
    );
  }
  writeFileSync(stampFile, hash);
  return { synthesized: true, durationMs: performance.now() - started };
}
