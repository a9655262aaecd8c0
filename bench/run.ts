import { cpus, totalmem } from "node:os";
import { benchChaosFaults, benchChaosKill, chaosTable } from "./chaos.js";
import { benchFunctions, benchMeeting, meetingTable } from "./meetings.js";
import { benchStart } from "./start.js";

// `npm run bench`: prints Markdown to paste into BENCHMARKS.md. `npm run bench -- start` (or
// meetings, functions) runs one part. `npm run bench -- chaos [--contacts N]` injects each fault
// of `kp chaos` into a fan-out; it takes minutes, so it runs only when asked for.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const args = process.argv.slice(2);
const contactsFlag = args.indexOf("--contacts");
const chaosContacts = contactsFlag === -1 ? 300 : Number(args[contactsFlag + 1]);
if (!Number.isInteger(chaosContacts) || chaosContacts < 10) {
  throw new Error(`--contacts takes a whole number of at least 10, not ${args[contactsFlag + 1]}`);
}
const parts = args.filter(
  (arg, index) => !arg.startsWith("--") && (contactsFlag === -1 || index !== contactsFlag + 1),
);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Machine: ${machine}\n`);
if (wanted("start")) {
  console.log("### Start-up\n");
  console.log(`${await benchStart()}\n`);
}
if (wanted("meetings")) {
  const runs = [];
  for (const [contacts, rate] of [
    [150, 0],
    [150, 200],
    [10_000, 0],
    [10_000, 200],
  ] as const) {
    runs.push(await benchMeeting(contacts, rate));
  }
  console.log("### Meeting Scheduled, fan-out\n");
  console.log(`${meetingTable(runs)}\n`);
  console.log("DynamoDB requests by operation:\n");
  for (const run of runs) {
    console.log(
      `- ${run.contacts} contacts, rate ${run.rate || "unlimited"}: ${JSON.stringify(run.dynamoByOperation)}`,
    );
  }
  console.log("");
}
if (wanted("functions")) {
  console.log("### Functions\n");
  console.log(await benchFunctions());
}
if (parts.includes("chaos")) {
  const runs = await benchChaosFaults(chaosContacts);
  runs.push(await benchChaosKill(chaosContacts));
  console.log("### Chaos: faults injected during a fan-out\n");
  console.log(`${chaosTable(runs)}\n`);
}
