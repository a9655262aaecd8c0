// One Lambda execution environment: loads a function's bundle once (its module init, as a cold
// start does) and runs one invocation at a time, as Lambda does.

import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

process.setSourceMapsEnabled?.(true);

// The local runtime's clock may be moved ahead (`kp clock advance`): events are stamped with it,
// so the function's Date follows it too, as a Lambda's clock and EventBridge's agree in AWS.
// Set before the function's module loads, since a module may keep Date; timeouts keep real time.
const RealDate = Date;
let clockOffsetMs = 0;
const localNow = () => RealDate.now() + clockOffsetMs;
globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) =>
    Reflect.construct(target, args.length === 0 ? [localNow()] : args, newTarget),
  apply: () => new RealDate(localNow()).toString(),
  get: (target, property, receiver) =>
    property === "now" ? localNow : Reflect.get(target, property, receiver),
});

const started = performance.now();
const module = await import(pathToFileURL(workerData.codeFile).href);
const handler = module[workerData.handlerExport];
if (typeof handler !== "function") {
  throw new Error(`${workerData.codeFile} exports no function ${workerData.handlerExport}`);
}
parentPort.postMessage({ type: "ready", initMs: performance.now() - started });

parentPort.on("message", async ({ requestId, eventJson, deadline, clockOffsetMs: offset }) => {
  clockOffsetMs = offset ?? 0;
  const event = JSON.parse(eventJson);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: workerData.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: workerData.functionArn,
    memoryLimitInMB: String(workerData.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${workerData.functionName}`,
    logStreamName: `local/${workerData.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ type: "result", requestId, ok: true, result: result ?? null });
  } catch (error) {
    const failure =
      error instanceof Error
        ? { errorType: error.name, errorMessage: error.message, stack: error.stack }
        : { errorType: "Error", errorMessage: String(error) };
    parentPort.postMessage({ type: "result", requestId, ok: false, error: failure });
  }
});
