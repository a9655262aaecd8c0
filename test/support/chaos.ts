import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ActiveFault, ChaosRequest, FaultName } from "../../local/chaos.js";
import type { RuntimeDescription } from "../../local/runtime.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { contactUpsertedSchema } from "../../shared/contract/contact-upserted.js";

/** How many messages the sender has in flight at once (its `concurrency`): a fault's window. */
export const SENDER_IN_FLIGHT = 8;

/** importContacts into a runtime started as a process, found by its description (runtime.json). */
export async function importContactsInto(
  description: RuntimeDescription,
  memberState: string,
  domain: string,
  count: number,
): Promise<string[]> {
  const dynamodb = new DynamoDBClient({
    endpoint: description.dynamodbEndpoint,
    region: description.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const table = Object.values(description.tables)[0] ?? "";
    return await importContacts(createDocumentClient(dynamodb), table, memberState, domain, count);
  } finally {
    dynamodb.destroy();
  }
}

/** A rehearsal's contacts: `count` focal points of one member state, at a domain of their own. */
export async function importContacts(
  documents: DynamoDBDocumentClient,
  tableName: string,
  memberState: string,
  domain: string,
  count: number,
): Promise<string[]> {
  const contacts = new DynamoContactRepository(documents, tableName);
  const addresses: string[] = [];
  const updatedAt = new Date().toISOString();
  const batch: Promise<unknown>[] = [];
  for (let index = 0; index < count; index += 1) {
    const email = `delegate-${index}@${domain}`;
    addresses.push(email);
    const detail = contactUpsertedSchema.parse({
      contactId: `${memberState.toLowerCase()}-delegate-${index}`,
      name: `Delegate ${index}`,
      email,
      memberState,
      roles: ["focal-point"],
    });
    batch.push(contacts.save({ ...detail, updatedAt }));
    if (batch.length === 25) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  return addresses;
}

/** A meeting 60 days ahead, for one member state's contacts. */
export function futureMeeting(meetingId: string, memberState: string) {
  const day = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  return {
    meetingId,
    kind: "thematic-meeting",
    title: `Incident rehearsal ${meetingId}`,
    startsAt: `${day}T09:00`,
    endsAt: `${day}T17:00`,
    timeZone: "Europe/Berlin",
    venue: { city: "Berlin", country: "DE" },
    audience: { countries: [memberState] },
  };
}

/** When each address at the domain was sent a message (the `.eml` files' times, in ms, sorted). */
export function deliveriesByRecipient(mailDir: string, domain: string): Map<string, number[]> {
  const times = new Map<string, number[]>();
  if (!existsSync(mailDir)) return times;
  for (const file of readdirSync(mailDir).filter((name) => name.endsWith(".eml"))) {
    const path = join(mailDir, file);
    const head = readFileSync(path, "utf8").split(/\r?\n\r?\n/, 1)[0] ?? "";
    const to = /^To:.*?<?([^\s<>]+@[^\s<>]+)>?\s*$/im.exec(head.replace(/\r?\n[ \t]+/g, " "));
    const address = to?.[1]?.toLowerCase();
    if (address?.endsWith(`@${domain}`)) {
      times.set(address, [...(times.get(address) ?? []), statSync(path).mtimeMs]);
    }
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  return times;
}

/** How many messages each address at the domain was sent, counted from the `.eml` files. */
export function messagesByRecipient(mailDir: string, domain: string): Map<string, number> {
  return new Map(
    [...deliveriesByRecipient(mailDir, domain)].map(([address, times]) => [address, times.length]),
  );
}

/** What the rehearsal found: who got nothing, and how many messages were sent twice or more. */
export function tally(addresses: string[], counts: Map<string, number>) {
  const missing = addresses.filter((address) => (counts.get(address) ?? 0) === 0);
  const duplicates = addresses.reduce(
    (sum, address) => sum + Math.max(0, (counts.get(address) ?? 0) - 1),
    0,
  );
  return { missing, duplicates };
}

/** The control endpoint of `kp chaos`, as the CLI calls it. */
export function chaosControl(eventBridgeEndpoint: string) {
  const url = `${eventBridgeEndpoint}/_kp/chaos`;
  return {
    async inject(request: Partial<ChaosRequest> & { fault: FaultName }): Promise<ActiveFault> {
      const response = await fetch(url, { method: "POST", body: JSON.stringify(request) });
      const answer = (await response.json()) as { injected: ActiveFault; message?: string };
      if (!response.ok) throw new Error(answer.message);
      return answer.injected;
    },
    async lift(fault?: FaultName): Promise<ActiveFault[]> {
      const response = await fetch(fault === undefined ? url : `${url}?fault=${fault}`, {
        method: "DELETE",
      });
      return ((await response.json()) as { lifted: ActiveFault[] }).lifted;
    },
    async status(): Promise<ActiveFault[]> {
      return ((await (await fetch(url)).json()) as { active: ActiveFault[] }).active;
    },
  };
}

/** Waits (polling) until the condition holds, or gives up after `limitMs`. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, limitMs = 20_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`not reached within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `npm start` as a process of its own (node itself, so that SIGKILL reaches the runtime). */
export function npmStart(
  projectDir: string,
  dataDir: string,
): { process: ChildProcess; ready: Promise<RuntimeDescription> } {
  const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], {
    cwd: projectDir,
    env: {
      ...process.env,
      KP_LOCAL_DIR: dataDir,
      KP_EVENTBRIDGE_PORT: "0",
      KP_SES_PORT: "0",
      KP_DYNAMODB_PORT: "0",
      KP_SMTP_PORT: "0",
      KP_WEB_PORT: "0",
      KP_FUNCTION_LOGS: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = new Promise<RuntimeDescription>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("is running locally")) {
        resolve(JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")));
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  return { process: child, ready };
}

/** Resolves once the child process has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
