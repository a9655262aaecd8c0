import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import sesModule from "aws-ses-v2-local";
import type { Chaos } from "./chaos.js";
import type { SesChildMessage, SesParentMessage } from "./ses-protocol.js";
import type { SentMessage, SesAccount } from "./ses-simulator.js";

type StartSes = (config: { host: string; port: number }) => Promise<Server>;

// aws-ses-v2-local is CommonJS with an ES-module default export.
const startSesServer = ((sesModule as unknown as { default?: StartSes }).default ??
  sesModule) as unknown as StartSes;

/** aws-ses-v2-local: the SES API, a page listing every email at `/`, and `GET /store`. */
export async function startSes(options: {
  host: string;
  port: number;
}): Promise<{ server: Server; endpoint: string }> {
  const server = await startSesServer({ host: options.host, port: options.port });
  const address = server.address() as AddressInfo;
  return { server, endpoint: `http://${options.host}:${address.port}` };
}

export interface SesService {
  /** The endpoint the functions, the CLI and the browser see. */
  endpoint: string;
  /** The process running the local SES now (it changes when it is started again). */
  pid(): number | undefined;
  /** How many times the SES process died and was started again. */
  restarts(): number;
  stop(): Promise<void>;
}

export interface SesServiceOptions {
  host: string;
  port: number;
  /** Where each accepted message is kept as `<messageId>.eml`. */
  mailDir: string;
  /** Reports SES's events of one accepted message; the send is answered once it resolved. */
  onSent: (message: SentMessage) => Promise<void> | void;
  account: () => Promise<SesAccount>;
  chaos?: Chaos;
  log?: (line: string) => void;
  /** Told of each request to the API v1 endpoint, for the benchmark's counts. */
  onRequest?: () => void;
}

// The SES process is TypeScript: it runs with tsx's loader, as `npm start` does.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * The local SES (local/ses-process.ts: aws-ses-v2-local and the front that keeps every message)
 * in a child process, off the core the functions' Lambda service and the EventBridge stand-in
 * use. Each send asks this process what `kp chaos` decides, and is answered only once its SES
 * events are on the bus here, so a kill loses nothing accepted. A process that dies is started
 * again on the same port.
 */
export async function startSesProcess(options: SesServiceOptions): Promise<SesService> {
  const log = options.log ?? (() => undefined);
  let child: ChildProcess | undefined;
  let stopping = false;
  let started = false;
  let restarts = 0;
  let port = options.port;

  const spawnChild = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const forked = fork(
        fileURLToPath(new URL("./ses-process.ts", import.meta.url)),
        [JSON.stringify({ host: options.host, port, mailDir: options.mailDir })],
        { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: ["--import", TSX_LOADER] },
      );
      child = forked;
      const held = new Map<number, EventEmitter>();
      const answer = (message: SesParentMessage) => {
        if (forked.connected) forked.send(message);
      };
      let listening = false;
      forked.on("message", (message: SesChildMessage) => {
        switch (message.type) {
          case "listening":
            listening = true;
            resolve(message.port);
            return;
          case "log":
            log(message.line);
            return;
          case "request":
            options.onRequest?.();
            return;
          case "decide":
            answer({
              type: "answer",
              id: message.id,
              decision: options.chaos?.sesDecision() ?? "pass",
            });
            return;
          case "sent":
            Promise.resolve(options.onSent(message.message)).then(
              () => answer({ type: "answer", id: message.id }),
              (error: unknown) => answer({ type: "answer", id: message.id, error: String(error) }),
            );
            return;
          case "account":
            options.account().then(
              (account) => answer({ type: "answer", id: message.id, account }),
              (error: unknown) => answer({ type: "answer", id: message.id, error: String(error) }),
            );
            return;
          case "hold": {
            const request = Object.assign(new EventEmitter(), {
              destroy: () => answer({ type: "release", id: message.id }),
            });
            held.set(message.id, request);
            options.chaos?.hold(request);
            return;
          }
          case "closed":
            held.get(message.id)?.emit("close");
            held.delete(message.id);
            return;
        }
      });
      forked.once("exit", (code, signal) => {
        for (const request of held.values()) request.emit("close");
        held.clear();
        if (!listening)
          reject(new Error(`the local SES exited before listening (${signal ?? code})`));
        if (stopping || child !== forked || !started) return;
        restarts += 1;
        log(`! SES (aws-ses-v2-local) exited (${signal ?? `code ${code}`}): starting it again`);
        spawnChild().catch((error: unknown) => log(`! SES did not start again: ${String(error)}`));
      });
    });

  port = await spawnChild();
  started = true;
  return {
    endpoint: `http://${options.host}:${port}`,
    pid: () => child?.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        if (running.connected) running.send({ type: "stop" } satisfies SesParentMessage);
        else running.kill("SIGTERM");
        setTimeout(() => running.kill("SIGKILL"), 5000).unref();
      });
    },
  };
}
