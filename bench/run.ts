import { cpus, totalmem } from "node:os";
import { benchChaosFaults, benchChaosKill, chaosTable } from "./chaos.js";
import { benchFunctions, benchMeetingWithCpu, meetingTable } from "./meetings.js";
import { senderCpuPerEmail, senderCpuText } from "./sender-cpu.js";
import { benchStart } from "./start.js";

// `npm run bench`: prints Markdown to paste into BENCHMARKS.md. `npm run bench -- start` (or
// meetings, functions, sender-cpu: the sender's CPU alone) runs one part.
// `npm run bench -- chaos [--contacts N]` injects each fault
// of `kp chaos` into a fan-out; it takes minutes, so it runs only when asked for.
// `--sizes 150,1000` sets the audiences of `meetings` (150 and 10,000 by default);
// `--no-meter` leaves out the write-unit metering (two extra reads per write) to see its cost.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const args = process.argv.slice(2);
const contactsFlag = args.indexOf("--contacts");
const chaosContacts = contactsFlag === -1 ? 300 : Number(args[contactsFlag + 1]);
if (!Number.isInteger(chaosContacts) || chaosContacts < 10) {
  throw new Error(`--contacts takes a whole number of at least 10, not ${args[contactsFlag + 1]}`);
}
const sizesFlag = args.indexOf("--sizes");
const sizes =
  sizesFlag === -1
    ? [150, 10_000]
    : String(args[sizesFlag + 1])
        .split(",")
        .map(Number);
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
  throw new Error(`--sizes takes whole numbers separated by commas, not ${args[sizesFlag + 1]}`);
}
const flagValues = new Set([contactsFlag + 1, sizesFlag + 1].filter((index) => index > 0));
const parts = args.filter((arg, index) => !arg.startsWith("--") && !flagValues.has(index));
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Machine: ${machine}\n`);
if (wanted("start")) {
  console.log("### Start-up\n");
  console.log(`${await benchStart()}\n`);
}
if (wanted("meetings")) {
  const runs = [];
  for (const contacts of sizes) {
    for (const rate of [0, 200]) {
      runs.push(await benchMeetingWithCpu(contacts, rate, !args.includes("--no-meter")));
    }
  }
  console.log("### Meeting Scheduled, fan-out\n");
  console.log(`${meetingTable(runs)}\n`);
  console.log(
    "CPU time per email from PutEvents to idle, by process (ms; the load does not change it):\n",
  );
  for (const run of runs) {
    const cpu = run.cpuMsPerEmail;
    console.log(
      `- ${run.contacts} contacts, rate ${run.rate || "unlimited"}: runtime (EventBridge, Lambda service, functions' threads) ${cpu.runtime.toFixed(2)}, dynalite ${cpu.dynamodb.toFixed(2)}, SES ${cpu.ses.toFixed(2)}; total ${(cpu.runtime + cpu.dynamodb + cpu.ses).toFixed(2)}`,
    );
  }
  console.log("");
  console.log("DynamoDB requests by operation:\n");
  for (const run of runs) {
    console.log(
      `- ${run.contacts} contacts, rate ${run.rate || "unlimited"}: ${JSON.stringify(run.dynamoByOperation)}; invocations ${JSON.stringify(run.invocationsByFunction)}`,
    );
  }
  console.log("");
}
if (wanted("functions")) {
  console.log("### Functions\n");
  console.log(await benchFunctions());
}
if (parts.includes("sender-cpu")) {
  // The sender's CPU alone (no local stack): what `meetings` measures after each fan-out.
  console.log(
    `### Sender CPU / email, 1,000 recipients\n\n${senderCpuText(await senderCpuPerEmail(1_000))}\n`,
  );
}
if (parts.includes("chaos")) {
  const runs = await benchChaosFaults(chaosContacts);
  runs.push(await benchChaosKill(chaosContacts));
  console.log("### Chaos: faults injected during a fan-out\n");
  console.log(`${chaosTable(runs)}\n`);
}
