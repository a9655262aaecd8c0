import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT_DIR = resolve(import.meta.dirname, "..");

/** Runs `npm start` and answers how long until it prints that it is ready, then stops it. */
async function timeStart(dataDir: string): Promise<{ readyMs: number; listeningMs: number }> {
  const started = performance.now();
  const child = spawn("npm", ["start"], {
    cwd: PROJECT_DIR,
    env: {
      ...process.env,
      KP_LOCAL_DIR: dataDir,
      KP_EVENTBRIDGE_PORT: "0",
      KP_SES_PORT: "0",
      KP_DYNAMODB_PORT: "0",
      KP_SMTP_PORT: "0",
      KP_WEB_PORT: "0",
      KP_FUNCTION_LOGS: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let listeningMs = Number.NaN;
  const readyMs = await new Promise<number>((resolveReady, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`npm start not ready in 120 s:\n${output}`)),
      120_000,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (Number.isNaN(listeningMs) && output.includes("listening: EventBridge")) {
        listeningMs = performance.now() - started;
      }
      if (output.includes("is running locally")) {
        clearTimeout(timer);
        resolveReady(performance.now() - started);
      }
    });
    child.on("exit", (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
  });
  child.removeAllListeners("exit");
  const exited = new Promise((done) => child.on("exit", done));
  if (child.pid !== undefined) process.kill(-child.pid, "SIGINT");
  await exited;
  return { readyMs, listeningMs };
}

function summary(label: string, runs: { readyMs: number; listeningMs: number }[]): string {
  const ready = runs.map((run) => run.readyMs).sort((a, b) => a - b);
  const listening = runs.map((run) => run.listeningMs).sort((a, b) => a - b);
  const median = (values: number[]) => values[Math.floor(values.length / 2)] ?? Number.NaN;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `| ${label} | ${runs.length} | ${seconds(median(listening))} | ${seconds(median(ready))} | ${seconds(ready[0] ?? 0)} – ${seconds(ready.at(-1) ?? 0)} |`;
}

/** What a fresh clone has not built yet: the functions' bundles and the console (see infra/). */
const BUILD_CACHES = ["function-builds", "console-builds"].map((name) =>
  join(PROJECT_DIR, ".kp-local", name),
);

/** `npm start` from a fresh clone (the app is synthesized) and a restart (the assembly is reused). */
export async function benchStart(repetitions = 3): Promise<string> {
  const cold: { readyMs: number; listeningMs: number }[] = [];
  const warm: { readyMs: number; listeningMs: number }[] = [];
  for (let run = 0; run < repetitions; run += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), "kp-bench-start-"));
    for (const cache of BUILD_CACHES) rmSync(cache, { recursive: true, force: true });
    try {
      cold.push(await timeStart(dataDir));
      warm.push(await timeStart(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return [
    "| npm start | runs | ports listening (median) | ready to route events (median) | ready (min – max) |",
    "| --- | --- | --- | --- | --- |",
    summary("first start (builds the functions and the console, synthesizes the CDK app)", cold),
    summary("restart (same sources, assembly reused)", warm),
  ].join("\n");
}
