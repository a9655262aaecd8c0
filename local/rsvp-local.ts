import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { SMTPServer } from "smtp-server";
import { type AwsStandIns, startAwsStandIns } from "./aws-standins.js";
import type { LocalSystem } from "./cloud-assembly.js";
import { consoleFront, localConsoleSecret, verifyLocalToken } from "./console-local.js";
import type { LambdaService } from "./lambda-service.js";
import { close, listen } from "./listen.js";
import { createSmtpReceiver, listenSmtp } from "./smtp-receiver.js";
import { createWebServer } from "./web-server.js";

export const DEFAULT_RSVP_PORTS = { smtp: 2525, web: 8080 };

/** Members' answers, locally: SES receiving over SMTP, the HTTP API's answer page. */
export interface LocalAnswers {
  /** Endpoints the functions reach S3 and Secrets Manager at (the stand-ins). */
  environment: Record<string, string>;
  smtpEndpoint: string;
  webEndpoint: string;
  /** Hands the servers the functions and points the answer links at the local page. */
  attach(system: LocalSystem, lambda: LambdaService): void;
  stop(): Promise<void>;
}

export async function startLocalAnswers(options: {
  host: string;
  dataDir: string;
  ports: { smtp: number; web: number };
  now: () => Date;
  log: (line: string) => void;
}): Promise<LocalAnswers> {
  const standIns: AwsStandIns = await startAwsStandIns(options);
  let system: LocalSystem | undefined;
  let lambda: LambdaService | undefined;
  const fn = (name: string) => system?.functions.find((candidate) => candidate.name === name);
  const invoke = (target: Parameters<LambdaService["invoke"]>[0], event: unknown) => {
    if (lambda === undefined) throw new Error("The local runtime is not ready yet");
    return lambda.invoke(target, event);
  };
  // The secretariat's console on the same port: its API behind a local JWT authorizer.
  const consoleSecret = localConsoleSecret(options.dataDir);
  const web: Server = createWebServer(
    [
      { prefix: "/rsvp/", parameter: "token", fn: () => fn("rsvp-page") },
      {
        prefix: "/api/",
        parameter: "proxy",
        greedy: true,
        authorize: (authorization) => verifyLocalToken(consoleSecret, authorization, options.now()),
        fn: () => fn("console-api"),
      },
    ],
    invoke,
    options.now,
    options.log,
    consoleFront({
      siteDir: () => system?.staticSites?.[0],
      secret: consoleSecret,
      now: options.now,
    }),
  );
  const smtp: SMTPServer = createSmtpReceiver({
    host: options.host,
    port: options.ports.smtp,
    recipients: () =>
      (system?.functions ?? [])
        .map((candidate) => candidate.environment.REPLY_ADDRESS)
        .filter((address): address is string => address !== undefined),
    receiver: () => fn("receive-reply"),
    store: (bucket, key, message) => writeFileSync(standIns.objectFile(bucket, key), message),
    invoke,
    now: options.now,
    log: options.log,
  });
  const servers: Server[] = [standIns.server];
  try {
    const webEndpoint = await listen(web, options.host, options.ports.web);
    servers.push(web);
    const smtpEndpoint = await listenSmtp(smtp, options.host, options.ports.smtp);
    return {
      environment: standIns.environment,
      smtpEndpoint,
      webEndpoint,
      attach(loaded, service) {
        system = loaded;
        lambda = service;
        // The links of the notices point at this machine's page instead of the HTTP API's URL.
        for (const candidate of loaded.functions) {
          if (candidate.environment.RSVP_BASE_URL !== undefined) {
            candidate.environment.RSVP_BASE_URL = `${webEndpoint}/rsvp/`;
          }
        }
      },
      async stop() {
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
        await Promise.all(servers.map(close));
      },
    };
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
}
