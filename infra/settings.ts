import type { Node } from "constructs";
import { DEFAULT_EVENT_BUS_NAME } from "../shared/contract/index.js";
import { DEFAULT_STAGE, InvalidStage, parseStage, stageName } from "../shared/platform/stages.js";

/** What ops may set with `-c name=value` or in cdk.json's context; read once, checked loudly. */
export interface Settings {
  /** Which copy of the system this is (`-c stage=staging`); `prod` keeps the original names. */
  stage: string;
  /** The stage's bus: `eventBusName` in prod, `<eventBusName>-<stage>` in another stage. */
  eventBusName: string;
  senderAddress: string;
  senderName: string;
  /** The secretariat's monitored mailbox: the notices' Reply-To and the address they give. */
  replyToAddress: string;
  /** The SES account's maximum send rate (messages per second); 0 means no limit. */
  sesMaxSendRate: number;
  /**
   * The sender's reserved concurrency: 1 keeps the whole account at `sesMaxSendRate`. 0 reserves
   * none (for accounts whose concurrency quota is too small to reserve any): each execution
   * environment then keeps the rate on its own.
   */
  senderReservedConcurrency: number;
  /** Reminders before a meeting's start, ISO 8601 durations. */
  reminderOffsets: string[];
  /** How often due reminders are swept. */
  reminderSweep: string;
  /** Who receives every alarm (each confirms the SNS subscription e-mail once). */
  alarmEmails: string[];
  /** The Route 53 public hosted zone of the sender's domain: when given, its DNS records are made. */
  hostedZone?: { id: string; name: string };
  /**
   * Whether this stage creates the sender's SES identity. An identity is one per account and
   * region, so only prod creates it unless told; another stage sends as the identity prod made.
   */
  createSendingIdentity: boolean;
  /** The custom MAIL FROM domain (bounces, SPF): `mail.<sender's domain>` unless set. */
  mailFromDomain: string;
  /** How often the reconciler looks for notices some recipients never received. */
  reconcileSweep: string;
  /** How long after a notice was defined the reconciler steps in (ISO 8601 duration). */
  reconcileAfter: string;
  /** How long after a notice was defined the reconciler gives up on it (ISO 8601 duration). */
  reconcileGiveUpAfter: string;
}

/** The domain of the From address: the SES identity the system sends as. */
export function senderDomain(settings: Pick<Settings, "senderAddress">): string {
  return settings.senderAddress.split("@")[1] ?? "";
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export class InvalidSetting extends Error {
  override name = "InvalidSetting";
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function flag(value: unknown, name: string): boolean {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new InvalidSetting(`${name} must be true or false, not ${String(value)}`);
}

/** The `stage` context, checked; `prod` when none is given. */
export function readStage(node: Node): string {
  try {
    return parseStage(node.tryGetContext("stage"));
  } catch (error) {
    if (error instanceof InvalidStage) throw new InvalidSetting(error.message);
    throw error;
  }
}

export function readSettings(node: Node): Settings {
  const get = (name: string, fallback: unknown) => node.tryGetContext(name) ?? fallback;
  const stage = readStage(node);
  const settings: Settings = {
    stage,
    eventBusName: stageName(String(get("eventBusName", DEFAULT_EVENT_BUS_NAME)), stage),
    senderAddress: String(get("senderAddress", "notices@khartoumprocess.net")),
    senderName: String(get("senderName", "Khartoum Process Secretariat")),
    replyToAddress: String(get("replyToAddress", "secretariat@khartoumprocess.net")),
    sesMaxSendRate: Number(get("sesMaxSendRate", 14)),
    senderReservedConcurrency: Number(get("senderReservedConcurrency", 1)),
    reminderOffsets: list(get("reminderOffsets", ["P14D", "P2D"])),
    reminderSweep: String(get("reminderSweep", "rate(5 minutes)")),
    alarmEmails: list(get("alarmEmails", [])),
    createSendingIdentity: flag(
      get("createSendingIdentity", stage === DEFAULT_STAGE),
      "createSendingIdentity",
    ),
    mailFromDomain: "",
    reconcileSweep: String(get("reconcileSweep", "rate(5 minutes)")),
    reconcileAfter: String(get("reconcileAfter", "PT10M")),
    reconcileGiveUpAfter: String(get("reconcileGiveUpAfter", "P1D")),
  };
  if (!EMAIL.test(settings.senderAddress)) {
    throw new InvalidSetting(
      `senderAddress must be an email address, not ${settings.senderAddress}`,
    );
  }
  if (!EMAIL.test(settings.replyToAddress)) {
    throw new InvalidSetting(
      `replyToAddress must be an email address (the secretariat's monitored mailbox), not ${settings.replyToAddress}`,
    );
  }
  if (!Number.isFinite(settings.sesMaxSendRate) || settings.sesMaxSendRate < 0) {
    throw new InvalidSetting(`sesMaxSendRate must be a number ≥ 0, not ${settings.sesMaxSendRate}`);
  }
  if (
    !Number.isInteger(settings.senderReservedConcurrency) ||
    settings.senderReservedConcurrency < 0
  ) {
    throw new InvalidSetting(
      `senderReservedConcurrency must be a whole number ≥ 0, not ${settings.senderReservedConcurrency}`,
    );
  }
  for (const offset of settings.reminderOffsets) {
    if (!/^P(\d+D)?(T(\d+H)?(\d+M)?)?$/.test(offset) || offset === "P" || offset.endsWith("T")) {
      throw new InvalidSetting(
        `reminderOffsets: ${offset} is not a duration such as P14D or PT12H`,
      );
    }
  }
  for (const address of settings.alarmEmails) {
    if (!EMAIL.test(address)) {
      throw new InvalidSetting(`alarmEmails: ${address} is not an email address`);
    }
  }
  const domain = senderDomain(settings);
  settings.mailFromDomain = String(get("mailFromDomain", `mail.${domain}`));
  if (!settings.mailFromDomain.endsWith(`.${domain}`)) {
    throw new InvalidSetting(
      `mailFromDomain must be a subdomain of ${domain}, not ${settings.mailFromDomain}`,
    );
  }
  const zoneId = node.tryGetContext("hostedZoneId");
  const zoneName = node.tryGetContext("hostedZoneName");
  if ((zoneId === undefined) !== (zoneName === undefined)) {
    throw new InvalidSetting("hostedZoneId and hostedZoneName go together: give both or neither");
  }
  if (zoneId !== undefined) {
    const name = String(zoneName).replace(/\.$/, "");
    // SES's records for the identity are made in the zone of the identity's own name.
    if (name !== domain) {
      throw new InvalidSetting(
        `hostedZoneName must be the sender's domain ${domain}, not ${name}; without a zone, the deploy prints the records to create`,
      );
    }
    settings.hostedZone = { id: String(zoneId), name };
  }
  for (const name of ["reconcileAfter", "reconcileGiveUpAfter"] as const) {
    if (!/^P(\d+D)?(T(\d+H)?(\d+M)?)?$/.test(settings[name]) || settings[name].endsWith("T")) {
      throw new InvalidSetting(`${name}: ${settings[name]} is not a duration such as PT10M or P1D`);
    }
  }
  return settings;
}
