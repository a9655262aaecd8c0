import { resolve } from "node:path";
import { DEFAULT_RSVP_PORTS } from "./rsvp-local.js";
import { DEFAULT_PORTS, startLocalRuntime } from "./runtime.js";

// Lambda runs in UTC; so does the local runtime, so dates come out the same.
process.env.TZ = "UTC";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new Error(`${name} must be a port number, not ${JSON.stringify(value)}`);
  }
  return parsed;
}

const projectDir = resolve(import.meta.dirname, "..");
const dataDir = resolve(projectDir, process.env.KP_LOCAL_DIR ?? ".kp-local");
const time = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`${time()} ${line}`);

const runtime = await startLocalRuntime({
  projectDir,
  dataDir,
  ports: {
    eventBridge: port("KP_EVENTBRIDGE_PORT", DEFAULT_PORTS.eventBridge),
    ses: port("KP_SES_PORT", DEFAULT_PORTS.ses),
    dynamodb: port("KP_DYNAMODB_PORT", DEFAULT_PORTS.dynamodb),
    smtp: port("KP_SMTP_PORT", DEFAULT_RSVP_PORTS.smtp),
    web: port("KP_WEB_PORT", DEFAULT_RSVP_PORTS.web),
  },
  functionLogs: process.env.KP_FUNCTION_LOGS !== "off",
  log,
});

const { description, system, timings } = runtime;
console.log(`
kp-workflows is running locally (ready in ${(timings.readyMs / 1000).toFixed(1)} s${timings.synthesized ? ", cloud assembly synthesized" : ""}).

  EventBridge  ${description.eventBridgeEndpoint}   buses: ${description.eventBusNames.join(", ")}
  SES          ${description.sesEndpoint}   (every email: open it in a browser; JSON: GET /store)
  DynamoDB     ${description.dynamodbEndpoint}   tables: ${Object.values(description.tables).join(", ")}
  SMTP         ${description.smtpEndpoint}   (SES receiving: calendar replies to the organizer address)
  Web          ${description.webEndpoint}   (the secretariat's console: open it, sign in as the local officer or viewer; the answer links: /rsvp/<token>)
  Functions    ${system.functions.map((fn) => fn.name).join(", ")}
  State        ${dataDir}

Put an event:  ./bin/kp put --file test/fixtures/examples/05-berlin-2023.json
               aws events put-events --endpoint-url ${description.eventBridgeEndpoint} --entries file://events.json
Stop:          Ctrl-C
`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping ...`);
  await runtime.stop();
  log("stopped");
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
