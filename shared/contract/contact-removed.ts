import { z } from "zod";
import { defineEvent, secretariatId } from "./common.js";

export const contactRemovedSchema = z.strictObject({ contactId: secretariatId });
export type ContactRemovedDetail = z.infer<typeof contactRemovedSchema>;

export const ContactRemoved = defineEvent("Contact Removed", contactRemovedSchema);
