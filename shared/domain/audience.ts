import type { Audience } from "../contract/index.js";
import { type Contact, type ContactGroup, contactGroup } from "./contacts.js";

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

/** Whether the contact is one of the audience's, by the same rule `audienceQuery` lists them. */
export function inAudience(
  contact: Pick<Contact, "memberState" | "organisation">,
  audience: Audience,
): boolean {
  const query = audienceQuery(audience);
  const group = contactGroup(contact);
  if (!query.groups.includes(group)) return false;
  return (
    group !== "member-state" ||
    query.memberStates === undefined ||
    query.memberStates.includes(contact.memberState ?? "")
  );
}
