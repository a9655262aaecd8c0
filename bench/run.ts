import { cpus, totalmem } from "node:os";
import { benchFunctions, benchMeeting, meetingTable } from "./meetings.js";
import { benchStart } from "./start.js";

// `npm run bench`: prints Markdown to paste into BENCHMARKS.md. `npm run bench -- start` (or
// meetings, functions) runs one part.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const parts = process.argv.slice(2);
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
