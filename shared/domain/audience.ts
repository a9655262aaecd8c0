import type { Audience } from "../contract/index.js";
import type { Contact, ContactGroup } from "./contacts.js";

/** Which contacts an audience means, as the contract defines it. */
export interface AudienceQuery {
  groups: ContactGroup[];
  /** Only the member-state contacts of these countries (the secretariat always). */
  memberStates?: string[];
}

export function audienceQuery(audience: Audience): AudienceQuery {
  if (audience === "all") return { groups: ["member-state", "secretariat", "partner"] };
  if (audience === "steering-committee") return { groups: ["member-state", "secretariat"] };
  return { groups: ["member-state", "secretariat"], memberStates: audience.countries };
}

export interface AudienceDirectory {
  listAudience(query: AudienceQuery): Promise<Contact[]>;
}
