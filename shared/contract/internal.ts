import { z } from "zod";

/** The system's own events, on the same bus: never put by the secretariat. */
export const WORKFLOWS_SOURCE = "kp.workflows";

export const noticesDueSchema = z.strictObject({
  subjectKey: z.string().min(1),
  noticeId: z.string().min(1),
  contactIds: z.array(z.string().min(1)).min(1).max(1000),
});

/** A chunk of one notice's recipients for the sender. */
export const NoticesDueEvent = {
  source: WORKFLOWS_SOURCE,
  detailType: "Notices Due",
  version: 1,
  schema: noticesDueSchema,
} as const;
