import { ChairDesignated } from "./chair-designated.js";
import { ChairHandover } from "./chair-handover.js";
import type { ContractEvent } from "./common.js";
import { ContactRemoved } from "./contact-removed.js";
import { ContactUpserted } from "./contact-upserted.js";
import { MeetingCancelled } from "./meeting-cancelled.js";
import { MeetingRescheduled } from "./meeting-rescheduled.js";
import { MeetingScheduled } from "./meeting-scheduled.js";

export * from "./chair-designated.js";
export * from "./chair-handover.js";
export * from "./common.js";
export * from "./contact-removed.js";
export * from "./contact-upserted.js";
export * from "./limits.js";
export * from "./meeting-cancelled.js";
export * from "./meeting-rescheduled.js";
export * from "./meeting-scheduled.js";

/** The seven detail-types of the contract, in the order EVENTS.md lists them. */
export const CONTRACT_EVENTS = [
  MeetingScheduled,
  MeetingRescheduled,
  MeetingCancelled,
  ChairDesignated,
  ChairHandover,
  ContactUpserted,
  ContactRemoved,
] as const satisfies readonly ContractEvent[];

export type DetailType = (typeof CONTRACT_EVENTS)[number]["detailType"];
export const DETAIL_TYPES = CONTRACT_EVENTS.map((event) => event.detailType);

export function findContractEvent(detailType: string): ContractEvent | undefined {
  return CONTRACT_EVENTS.find((event) => event.detailType === detailType);
}

/** "Contact Upserted" ⇄ "contact-upserted", for CLI arguments and folder names. */
export function kebabDetailType(detailType: string): string {
  return detailType.toLowerCase().replaceAll(" ", "-");
}
