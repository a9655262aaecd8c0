import type { Node } from "constructs";
import { stageAddress } from "../shared/platform/stages.js";
import { InvalidSetting, readStage } from "./settings.js";

/** The settings of members' answers (`-c name=value` or cdk.json's context). */
export interface RsvpSettings {
  /**
   * The organizer address of the invitations: where calendars send their replies (SES receiving).
   * Another stage than prod adds `-<stage>` to its local part, so no stage records another's replies.
   */
  replyAddress: string;
  /** A region where SES receives mail (eu-west-1, us-east-1, ...): the receiving stack's. */
  receivingRegion: string;
  /** The region of the main stacks (the table and the bus), where answers are recorded. */
  mainRegion: string;
  /** The answer links' base (a custom domain, ending in "/rsvp/"); the HTTP API's own URL if unset. */
  rsvpBaseUrl?: string;
  /** How long SES's copy of a received message is kept in S3. */
  receivedMailDays: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function readRsvpSettings(node: Node): RsvpSettings {
  const get = (name: string, fallback: unknown) => node.tryGetContext(name) ?? fallback;
  const baseUrl = get("rsvpBaseUrl", undefined);
  const settings: RsvpSettings = {
    replyAddress: stageAddress(
      String(get("replyAddress", "rsvp@khartoumprocess.net")),
      readStage(node),
    ),
    receivingRegion: String(get("receivingRegion", "eu-west-1")),
    mainRegion: String(get("mainRegion", process.env.CDK_DEFAULT_REGION ?? "eu-central-1")),
    ...(baseUrl === undefined || baseUrl === "" ? {} : { rsvpBaseUrl: String(baseUrl) }),
    receivedMailDays: Number(get("receivedMailDays", 3)),
  };
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(settings.replyAddress)) {
    throw new InvalidSetting(`replyAddress must be an email address, not ${settings.replyAddress}`);
  }
  for (const name of ["receivingRegion", "mainRegion"] as const) {
    if (!REGION.test(settings[name])) {
      throw new InvalidSetting(
        `${name} must be an AWS region such as eu-west-1, not ${settings[name]}`,
      );
    }
  }
  if (settings.rsvpBaseUrl !== undefined && !/^https:\/\/.+\/$/.test(settings.rsvpBaseUrl)) {
    throw new InvalidSetting(
      `rsvpBaseUrl must be an https URL ending in "/", not ${settings.rsvpBaseUrl}`,
    );
  }
  if (!Number.isInteger(settings.receivedMailDays) || settings.receivedMailDays < 1) {
    throw new InvalidSetting(
      `receivedMailDays must be a whole number ≥ 1, not ${settings.receivedMailDays}`,
    );
  }
  return settings;
}
