import isoCountryCodesJson from "./iso-3166-1-alpha-2.json";
import memberStatesJson from "./member-states.json";
import organisationsJson from "./organisations.json";

/** A member state of the Khartoum Process (all 40 sit on the Steering Committee). */
export interface MemberState {
  code: string;
  name: string;
  timeZone: string;
  region: "Africa" | "Europe";
  euMember: boolean;
}

/** The secretariat's three bodies and the partner organisations. */
export interface Organisation {
  id: string;
  name: string;
  kind: "secretariat" | "partner";
  timeZone: string;
}

export const memberStates = memberStatesJson as readonly MemberState[];
export const organisations = organisationsJson as readonly Organisation[];

const memberStatesByCode = new Map(memberStates.map((state) => [state.code, state]));
const organisationsById = new Map(
  organisations.map((organisation) => [organisation.id, organisation]),
);

export const memberStateCodes = memberStates.map((state) => state.code);
export const organisationIds = organisations.map((organisation) => organisation.id);

export function findMemberState(code: string): MemberState | undefined {
  return memberStatesByCode.get(code);
}

export function findOrganisation(id: string): Organisation | undefined {
  return organisationsById.get(id);
}

/** The contract's default for an organisation's contacts. */
export const ORGANISATION_DEFAULT_TIME_ZONE = "Europe/Vienna";

/**
 * The ISO 3166-1 alpha-2 codes officially assigned to a country or territory (249, as the ISO
 * 3166 Maintenance Agency lists them), copied here: Intl.DisplayNames also names reserved and
 * user-assigned codes ("EU", "UN", "XK", "ZZ"), which are no venue's country.
 */
export const ISO_COUNTRY_CODES = isoCountryCodesJson as readonly string[];
const isoCountryCodes = new Set(ISO_COUNTRY_CODES);

export function isAssignedCountryCode(code: string): boolean {
  return isoCountryCodes.has(code);
}
