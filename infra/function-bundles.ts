import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type BuildOptions, build, buildSync, version as esbuildVersion } from "esbuild";
import { cacheDirOf, cachedBuild, cachedBuildSync, PROJECT_DIR } from "./build-cache.js";

/**
 * How every function is bundled, the options NodejsFunction gave esbuild: ESM for Node.js 22,
 * minified, with source maps, the AWS SDK bundled (so the version we test is the version that
 * runs) and a `require` for the CommonJS packages inside an ES module.
 */
const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  sourcemap: true,
  mainFields: ["module", "main"],
  banner: {
    js: "import { createRequire as kpCreateRequire } from 'node:module'; const require = kpCreateRequire(import.meta.url);",
  },
  outExtension: { ".js": ".mjs" },
  logLevel: "warning",
} satisfies BuildOptions;

/** What the bundles are made of (console-api takes cli/contacts-csv.ts). */
const BUNDLE_SOURCES = ["functions", "shared", "cli", "package-lock.json", "tsconfig.json"];

/** Every Lambda of the system: `functions/<id>/handler.ts`, the folder name is its id. */
function functionIds(): string[] {
  const functionsDir = join(PROJECT_DIR, "functions");
  return readdirSync(functionsDir)
    .filter((id) => existsSync(join(functionsDir, id, "handler.ts")))
    .sort();
}

/** `.kp-local/function-builds/<hash>`, one directory per function inside. */
function bundlesDir(): string {
  const settings = `esbuild ${esbuildVersion} ${JSON.stringify(BUNDLE_OPTIONS)}`;
  return cacheDirOf("function-builds", settings, BUNDLE_SOURCES);
}

/** One esbuild build of every function: what they share (the SDK, shared/) is parsed once. */
function buildOptions(outdir: string): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_DIR,
    entryPoints: functionIds().map((id) => ({
      in: join("functions", id, "handler.ts"),
      out: join(id, "index"),
    })),
    outdir,
  };
}

/**
 * The directory of every function's bundle (`<id>/index.mjs` and its source map), built once
 * per change of the sources: each function's asset is a copy of its bundle, so `npm start`,
 * the tests and `cdk deploy` all run the same bytes.
 */
export function functionBundles(): string {
  return cachedBuildSync(bundlesDir(), (outdir) => {
    buildSync(buildOptions(outdir));
  });
}

/** The same build without blocking, started while the CDK app loads (see infra/main.ts). */
export async function prepareFunctionBundles(): Promise<void> {
  await cachedBuild(bundlesDir(), async (outdir) => {
    await build(buildOptions(outdir));
  });
}
