// The local SES in a process of its own: aws-ses-v2-local (its store parses every message with
// mailparser, deferred until the store is read: local/ses-store.ts) and the front that writes
// each accepted message to disk. Both cost CPU per email,
// and in the runtime's process they competed with the EventBridge stand-in and the Lambda
// service for one core. The runtime forks this module (local/ses.ts) and keeps what must be
// one for the whole runtime: `kp chaos` (each send asks it), the bus SES's events go to (each
// accepted message waits until its events are journalled), and the account's quota.

import type { ServerResponse } from "node:http";
import type { SesDecision } from "./chaos.js";
import { close, listen } from "./listen.js";
import { startSes } from "./ses.js";
import type { SesChildMessage, SesParentMessage } from "./ses-protocol.js";
import { createSesFront, type SentMessage } from "./ses-simulator.js";
import { DeferredSesStore } from "./ses-store.js";

const { host, port, mailDir } = JSON.parse(process.argv[2] ?? "{}") as {
  host: string;
  port: number;
  mailDir: string;
};

// The runtime is gone (stopped, or killed with -9): leave, so that the next one can listen.
process.on("disconnect", () => process.exit(0));

const send = (message: SesChildMessage) => process.send?.(message);
const waiting = new Map<number, (answer: SesParentMessage & { type: "answer" }) => void>();
const held = new Map<number, ServerResponse>();
let lastId = 0;

function ask(
  question: { type: "decide" } | { type: "sent"; message: SentMessage } | { type: "account" },
): Promise<SesParentMessage & { type: "answer" }> {
  lastId += 1;
  const id = lastId;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    send({ ...question, id });
  });
}

const backend = await startSes({ host, port: 0 });
const front = createSesFront(backend.endpoint, {
  mailDir,
  store: new DeferredSesStore(),
  log: (line) => send({ type: "log", line }),
  onRequest: () => send({ type: "request" }),
  decide: async () => (await ask({ type: "decide" })).decision as SesDecision,
  hold: (response) => {
    lastId += 1;
    const id = lastId;
    held.set(id, response);
    response.on("close", () => {
      held.delete(id);
      send({ type: "closed", id });
    });
    send({ type: "hold", id });
  },
  onSent: async (message) => {
    const answer = await ask({ type: "sent", message });
    if (answer.error !== undefined) throw new Error(answer.error);
  },
  account: async () => {
    const answer = await ask({ type: "account" });
    if (answer.account === undefined) throw new Error(answer.error ?? "no account");
    return answer.account;
  },
});

process.on("message", (message: SesParentMessage) => {
  switch (message.type) {
    case "answer":
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
      return;
    case "release":
      held.get(message.id)?.destroy();
      return;
    case "stop":
      Promise.all([close(front), close(backend.server)]).then(() => process.exit(0));
      return;
  }
});

const endpoint = await listen(front, host, port);
send({ type: "listening", port: Number(new URL(endpoint).port) });
