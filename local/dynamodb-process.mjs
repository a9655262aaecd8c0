// dynalite in a process of its own, so that no request (a stack overflow on an item nested
// thousands of levels deep, say) can take the whole runtime down with it. The runtime forks this
// module, forwards DynamoDB's requests to the port it reports, and starts it again if it dies.

import { createRequire } from "node:module";
import dynalite from "dynalite";

const { path, host } = JSON.parse(process.argv[2] ?? "{}");
const requireFromDynalite = createRequire(import.meta.resolve("dynalite"));
const { Level } = requireFromDynalite("level");

// The runtime is gone (stopped, or killed with -9): leave, so that the next one can open the data.
process.on("disconnect", () => process.exit(0));

/**
 * The process this one replaces may still hold LevelDB's lock for a moment (it leaves when it
 * notices its parent died): wait for the data to be free rather than serve errors.
 */
async function waitForData() {
  for (let attempt = 0; ; attempt += 1) {
    const db = new Level(path);
    try {
      await db.open();
      await db.close();
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

await waitForData();
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, host, () => {
  process.send?.({ type: "listening", port: server.address().port });
});
let stopping = false;
process.on("message", (message) => {
  if (message?.type !== "stop") return;
  stopping = true;
  server.close(() => process.exit(0));
});
// dynalite finishes some writes after it answered (a table becoming ACTIVE, say); one that finds
// the data already closed by a stop rejects with "Database is closed". That is the stop, not a
// fault: leave quietly instead of dying with an unhandled rejection in the runtime's output.
process.on("unhandledRejection", (reason) => {
  if (stopping && /Database is (not open|closed)/.test(String(reason))) process.exit(0);
  throw reason;
});
