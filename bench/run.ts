import { cpus, totalmem } from "node:os";
import { benchStart } from "./start.js";

// `npm run bench`: prints Markdown to paste into BENCHMARKS.md.
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Machine: ${machine}\n`);
console.log("### Start-up\n");
console.log(await benchStart());
