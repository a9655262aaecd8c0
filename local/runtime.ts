import { mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage, Server } from "node:http";
import { join } from "node:path";
import { LocalArchives } from "./archive.js";
import { Chaos } from "./chaos.js";
import { LocalClock } from "./clock.js";
import { type LocalSystem, loadLocalSystem } from "./cloud-assembly.js";
import { DeadLetterQueues } from "./dead-letters.js";
import {
  createTables,
  type DynamoDbService,
  localDynamoDbClient,
  startDynamoDb,
} from "./dynamodb.js";
import { type DeliveryReport, LocalEventBus } from "./event-bus.js";
import { createEventBridgeServer } from "./eventbridge-server.js";
import { InvocationJournal, ScheduleJournal } from "./invocation-journal.js";
import { LambdaService } from "./lambda-service.js";
import { close, listen } from "./listen.js";
import { DEFAULT_RSVP_PORTS, startLocalAnswers } from "./rsvp-local.js";
import { type SesService, startSesProcess } from "./ses.js";
import { localSesAccount, type SesEventDestination, sesEvents } from "./ses-simulator.js";
import { ensureCloudAssembly } from "./synth.js";
import { WriteUnitMeter } from "./write-units.js";

export interface LocalRuntimeOptions {
  projectDir: string;
  /**
   * Where state lives (git-ignored): dynalite's data, dead letters, the archive, runtime.json, the
   * asynchronous invocation queue (queue/), when each schedule last fired (schedules.json) and
   * every message SES accepted (mail/<messageId>.eml).
   */
  dataDir: string;
  /** The cloud assembly to run; synthesized from the project when its sources changed. */
  assemblyDir?: string;
  /** False runs the assembly as it is (a prebuilt one), without synthesizing. */
  synthesize?: boolean;
  /** CDK context for the synthesis (`-c name=value`), e.g. { sesMaxSendRate: "200" }. */
  context?: Record<string, string>;
  host?: string;
  ports?: { eventBridge?: number; ses?: number; dynamodb?: number; smtp?: number; web?: number };
  region?: string;
  account?: string;
  retryDelaysMs?: number[];
  concurrency?: number;
  log?: (line: string) => void;
  /** Print what the functions log (Powertools' JSON lines). */
  functionLogs?: boolean;
  /** Count DynamoDB's write units, index writes apart (benchmarks: two reads per write). */
  meterWrites?: boolean;
}

export interface RuntimeDescription {
  eventBridgeEndpoint: string;
  sesEndpoint: string;
  dynamodbEndpoint: string;
  /** SES receiving's stand-in (calendar replies) and the answer links' page. */
  smtpEndpoint?: string;
  webEndpoint?: string;
  region: string;
  eventBusNames: string[];
  tables: Record<string, string>;
  outputs: Record<string, string>;
}

export interface LocalRuntime {
  description: RuntimeDescription;
  system: LocalSystem;
  eventBus: LocalEventBus;
  lambda: LambdaService;
  deadLetters: DeadLetterQueues;
  clock: LocalClock;
  /** The faults `kp chaos` injects (through POST /_kp/chaos on the EventBridge port). */
  chaos: Chaos;
  /** dynalite's process, behind the DynamoDB port (started again if it dies). */
  dynamodb: DynamoDbService;
  /** The local SES's process, behind the SES port (started again if it dies). */
  ses: SesService;
  /** The asynchronous invocation queue on disk. */
  journal: InvocationJournal;
  /** Where each message SES accepted is kept as `<messageId>.eml`. */
  mailDir: string;
  /** API requests the emulated services answered, for benchmarks. */
  requests: RequestCounts;
  /** DynamoDB's write units, when `meterWrites` asked for them. */
  writeUnits?: WriteUnitMeter;
  timings: { synthMs: number; readyMs: number; synthesized: boolean };
  /** Resolves once every event put so far has been handled, retries included. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface RequestCounts {
  dynamodb: Record<string, number>;
  ses: number;
}

export const DEFAULT_PORTS = { eventBridge: 4010, ses: 8005, dynamodb: 4567 };

function describeDelivery(report: DeliveryReport): string {
  const { result } = report;
  const head = `${report.functionName} ← ${report.event["detail-type"]} ${report.event.id}`;
  if (!result.ok) {
    return `✗ ${head} attempt ${report.attempt}: ${result.error.errorType}: ${result.error.errorMessage}`;
  }
  const outcome = result.result as { status?: string; reason?: string } | null;
  if (outcome?.status === "rejected") return `! ${head} rejected: ${outcome.reason}`;
  return `✓ ${head} (${Math.round(result.durationMs)} ms)`;
}

/**
 * The whole system on this machine: dynalite, aws-ses-v2-local, an EventBridge endpoint, and
 * the functions and rules of the same cloud assembly ops deploy.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const host = options.host ?? "127.0.0.1";
  const ports = { ...DEFAULT_PORTS, ...DEFAULT_RSVP_PORTS, ...options.ports };
  const region = options.region ?? "eu-central-1";
  const account = options.account ?? "000000000000";
  const assemblyDir = options.assemblyDir ?? join(options.dataDir, "cdk.out");
  mkdirSync(options.dataDir, { recursive: true });

  const servers: Server[] = [];
  const requests: RequestCounts = { dynamodb: {}, ses: 0 };
  const clock = new LocalClock(join(options.dataDir, "clock.json"));
  const chaos = new Chaos();
  const mailDir = join(options.dataDir, "mail");
  let dynamodb: DynamoDbService | undefined;
  let sesStarting: Promise<SesService> | undefined;
  const writeUnits = options.meterWrites ? new WriteUnitMeter() : undefined;
  let stopAnswers: () => Promise<void> = async () => undefined;
  // The app is synthesized (in child processes) while the servers start.
  const synthesis =
    options.synthesize === false
      ? Promise.resolve({ synthesized: false, durationMs: 0 })
      : ensureCloudAssembly(options.projectDir, assemblyDir, log, options.context);
  // A failure is thrown where the assembly is awaited, or the start fails first for another reason.
  synthesis.catch(() => undefined);
  // The bus exists once the app is synthesized; what arrives before waits for it.
  let busStarted: (bus: LocalEventBus) => void = () => undefined;
  const busReady = new Promise<LocalEventBus>((resolve) => {
    busStarted = resolve;
  });
  let sesDestinations: SesEventDestination[] = [];
  // The rate the sender keeps (its SES_MAX_SEND_RATE), once the assembly is loaded.
  let sesMaxSendRate = 0;
  try {
    // aws-ses-v2-local behind a front that reports SES's events (the mailbox simulator), in a
    // process of its own; dynalite and it start side by side.
    sesStarting = startSesProcess({
      host,
      port: ports.ses,
      mailDir,
      chaos,
      log,
      account: () => localSesAccount(mailDir, sesMaxSendRate),
      onRequest: () => {
        requests.ses += 1;
      },
      onSent: async (message) => {
        const destination = sesDestinations.find(
          (candidate) => candidate.configurationSetName === message.configurationSetName,
        );
        if (destination === undefined) return;
        const bus = await busReady;
        for (const event of sesEvents(message, destination, {
          account,
          region,
          now: clock.now(),
        })) {
          bus.publish(
            destination.eventBusName,
            bus.envelope({ source: "aws.ses", detailType: event.detailType, detail: event.detail }),
          );
        }
      },
    });
    // Awaited below; a failure meanwhile is not an unhandled rejection.
    sesStarting.catch(() => undefined);
    dynamodb = await startDynamoDb({
      host,
      port: ports.dynamodb,
      dataDir: join(options.dataDir, "dynamodb"),
      chaos,
      log,
      meter: writeUnits,
    });
    servers.push(dynamodb.server);
    dynamodb.server.prependListener("request", (request: IncomingMessage) => {
      const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "unknown";
      requests.dynamodb[operation] = (requests.dynamodb[operation] ?? 0) + 1;
    });
    const ses = await sesStarting;
    const eventBridgeServer = createEventBridgeServer(busReady, clock, chaos, log);
    const eventBridgeEndpoint = await listen(eventBridgeServer, host, ports.eventBridge);
    servers.push(eventBridgeServer);
    const answers = await startLocalAnswers({
      host,
      dataDir: options.dataDir,
      ports,
      now: () => clock.now(),
      log,
    });
    stopAnswers = answers.stop;
    log(
      `listening: EventBridge ${eventBridgeEndpoint}, SES ${ses.endpoint}, DynamoDB ${dynamodb.endpoint}`,
    );

    const synth = await synthesis;
    const system = loadLocalSystem(assemblyDir, { account, region });
    sesDestinations = system.sesEventDestinations;
    sesMaxSendRate = Number(
      system.functions.find((fn) => fn.environment.SES_MAX_SEND_RATE !== undefined)?.environment
        .SES_MAX_SEND_RATE ?? 0,
    );
    writeUnits?.describe(system.tables);
    const dynamoClient = localDynamoDbClient(dynamodb.endpoint, region);
    await createTables(dynamoClient, system.tables);
    dynamoClient.destroy();

    const lambda = new LambdaService(new Map(system.functions.map((fn) => [fn.arn, fn])), {
      concurrency: options.concurrency ?? 2,
      baseEnvironment: {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_SES: ses.endpoint,
        AWS_ENDPOINT_URL_SESV2: ses.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeEndpoint,
        // The local EventBridge also answers SQS's GetQueueAttributes on the dead-letter queues.
        AWS_ENDPOINT_URL_SQS: eventBridgeEndpoint,
        ...answers.environment,
        TZ: ":UTC",
        // Lambda runs Node.js 22, where the SDK has nothing to warn about.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        LAMBDA_TASK_ROOT: assemblyDir,
      },
      onLog: (functionName, line) => {
        if (options.functionLogs) log(`  [${functionName}] ${line}`);
      },
      faultOf: (functionName) => chaos.functionFault(functionName),
      clockOffsetMs: () => clock.offset,
    });
    const journal = new InvocationJournal(join(options.dataDir, "queue"));
    answers.attach(system, lambda);
    const deadLetters = new DeadLetterQueues(join(options.dataDir, "dead-letters"), system.queues);
    const eventBus = new LocalEventBus(system, lambda, deadLetters, {
      account,
      region,
      retryDelaysMs: options.retryDelaysMs ?? [1000, 2000],
      onDelivery: (report) => log(describeDelivery(report)),
      onBatch: (report) =>
        log(
          `${report.failed === 0 ? "✓" : "✗"} ${report.functionName} ← ${report.records} message(s) of ${report.queueName}${report.failed === 0 ? "" : `: ${report.failed} failed${report.error === undefined ? "" : ` (${report.error})`}, received again later`}`,
        ),
      onDeadLetter: (message) => log(`✗ ${message}`),
      onUnknownBus: (bus) => log(`! event for bus "${bus}" dropped: no such bus (as AWS does)`),
      now: () => clock.now(),
      journal,
      schedules: new ScheduleJournal(join(options.dataDir, "schedules.json")),
      archives: new LocalArchives(join(options.dataDir, "archive"), system.archives, {
        account,
        region,
        now: () => clock.now(),
      }),
    });
    const resumed = eventBus.resume();
    if (resumed > 0)
      log(`resuming ${resumed} asynchronous invocation(s) accepted before the last stop`);
    const stopSchedules = eventBus.startSchedules();
    busStarted(eventBus);

    const description: RuntimeDescription = {
      eventBridgeEndpoint,
      sesEndpoint: ses.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      smtpEndpoint: answers.smtpEndpoint,
      webEndpoint: answers.webEndpoint,
      region,
      eventBusNames: system.eventBuses,
      tables: Object.fromEntries(system.tables.map((table) => [table.logicalId, table.tableName])),
      outputs: system.outputs,
    };
    writeFileSync(
      join(options.dataDir, "runtime.json"),
      `${JSON.stringify(description, null, 2)}\n`,
    );

    return {
      description,
      system,
      eventBus,
      lambda,
      deadLetters,
      timings: {
        synthMs: synth.durationMs,
        synthesized: synth.synthesized,
        readyMs: performance.now() - started,
      },
      idle: () => eventBus.idle(),
      clock,
      chaos,
      dynamodb,
      ses,
      journal,
      mailDir,
      requests,
      writeUnits,
      async stop() {
        stopSchedules();
        // What is under way stays journalled for the next start; nothing new begins.
        eventBus.stop();
        chaos.stop();
        await lambda.stop();
        await stopAnswers();
        await Promise.all(servers.map(close));
        await Promise.all([dynamodb?.stop(), ses.stop()]);
      },
    };
  } catch (error) {
    await stopAnswers();
    await Promise.all(servers.map(close));
    await Promise.all([
      dynamodb?.stop(),
      sesStarting?.then(
        (ses) => ses.stop(),
        () => undefined,
      ),
    ]);
    throw error;
  }
}
