import { memberStates } from "../../shared/reference/index.js";
import type { ConsoleLanguage } from "./i18n.js";

export interface MeetingSummary {
  meetingId: string;
  title: string;
  kind: string;
  status: string;
  sequence: number;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: { city: string; country: string; name?: string };
  audience: unknown;
}

export interface ChairView {
  current: string;
  since: string;
  upcoming: "TBC" | { country: string; takesOfficeOn?: string };
  history: { from: string; to: string; effectiveOn: string; meetingId?: string }[];
}

const displayNames: Partial<Record<ConsoleLanguage, Intl.DisplayNames>> = {};

/** A member state's name in the console's language (the reference list's name in English). */
export function countryLabel(code: string, language: ConsoleLanguage): string {
  if (language === "en") return memberStates.find((state) => state.code === code)?.name ?? code;
  displayNames[language] ??= new Intl.DisplayNames([language], { type: "region" });
  return displayNames[language]?.of(code) ?? code;
}
