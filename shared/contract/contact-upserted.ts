import { z } from "zod";
import { findMemberState, ORGANISATION_DEFAULT_TIME_ZONE } from "../reference/index.js";
import {
  defineEvent,
  memberStateCode,
  organisationId,
  secretariatId,
  singleLine,
  timeZone,
} from "./common.js";

export const CONTACT_ROLES = [
  "focal-point",
  "senior-official",
  "steering-committee-delegate",
  "secretariat-staff",
  "observer",
] as const;
export const LANGUAGES = ["en", "fr", "ar"] as const;

/** The fields of a Contact Upserted detail, in the contract's order. */
export const CONTACT_FIELDS = [
  "contactId",
  "name",
  "email",
  "memberState",
  "organisation",
  "roles",
  "language",
  "timeZone",
  "reminders",
] as const;
/** What identifies a person, and must be erased when the contact is removed. */
export const PERSONAL_FIELDS: readonly string[] = ["name", "email"];
export type Language = (typeof LANGUAGES)[number];

export const contactUpsertedSchema = z
  .strictObject({
    contactId: secretariatId,
    name: singleLine(200),
    email: z
      .email({
        error: (issue) => (issue.input === undefined ? "is required" : "must be an email address"),
      })
      .max(254, "must be at most 254 characters"),
    memberState: memberStateCode.optional(),
    organisation: organisationId.optional(),
    roles: z
      .array(z.enum(CONTACT_ROLES))
      .refine((roles) => new Set(roles).size === roles.length, "must not repeat a role")
      .default([]),
    language: z.enum(LANGUAGES).default("en"),
    timeZone: timeZone.optional(),
    reminders: z.boolean().default(true),
  })
  .refine(
    (contact) => (contact.memberState === undefined) !== (contact.organisation === undefined),
    {
      message: "exactly one of memberState or organisation must be given",
      path: ["memberState"],
    },
  )
  .transform((contact) => ({
    ...contact,
    timeZone:
      contact.timeZone ??
      (contact.memberState === undefined
        ? ORGANISATION_DEFAULT_TIME_ZONE
        : (findMemberState(contact.memberState)?.timeZone ?? ORGANISATION_DEFAULT_TIME_ZONE)),
  }));
/** A contact as the contract defines it, with its defaults applied. */
export type ContactUpsertedDetail = z.output<typeof contactUpsertedSchema>;

export const ContactUpserted = defineEvent("Contact Upserted", contactUpsertedSchema);
