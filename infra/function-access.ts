import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { CONTRACT_EVENTS } from "../shared/contract/index.js";
import { NoticesDueEvent } from "../shared/contract/internal.js";

/**
 * Partitions of the table (`pk`) as IAM `StringLike` patterns, from shared/adapters/table-keys.ts.
 * A notice's definitions, records and chunks live under their subject's partition: a meeting's
 * (`MEETING#…`) or the Chair's (`CHAIR`).
 */
export const PARTITIONS = {
  contacts: "CONTACT#*",
  rejected: "REJECTED",
  meetings: "MEETING#*",
  chair: "CHAIR",
  messages: "MESSAGE#*",
} as const;

/** Partitions of the `lists` index (`gsi1pk`): what the functions read as lists. */
export const LISTS = {
  audience: "AUDIENCE#*",
  meetings: "MEETINGS",
  reminders: "REMINDERS",
  openNotices: "OPEN_NOTICES",
} as const;

export type ItemAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem";

/** These actions on the items whose partition key matches one of these patterns. */
export interface ItemGrant {
  actions: readonly ItemAction[];
  partitions: readonly string[];
}

/** An event the function may put on the bus, by source and detail-type. */
export interface PublishedEvent {
  source: string;
  detailType: string;
}

/**
 * What one function may do, and nothing more:
 * - `items`: DynamoDB item operations on the table, by partition-key pattern
 *   (`dynamodb:LeadingKeys`); Scan is never granted, since it has no leading key to check;
 * - `lists`: the partitions of the `lists` index it may Query;
 * - `publishes`: the events it may put on the system's bus (`events:source`, `events:detail-type`);
 * - `sendsEmail`: SendRawEmail through the configuration set, as the configured From address only.
 */
export interface FunctionAccess {
  items: readonly ItemGrant[];
  lists?: readonly string[];
  publishes?: readonly PublishedEvent[];
  sendsEmail?: true;
}

/**
 * Every workflow handler records a refused event (REJECTED), checks whether the contact it names
 * was removed (CONTACT#…) and then erases the contact from its rejected events.
 */
const recordsRejections: readonly ItemGrant[] = [
  { actions: ["PutItem", "Query", "UpdateItem"], partitions: [PARTITIONS.rejected] },
];
const readsContacts: ItemGrant = { actions: ["GetItem"], partitions: [PARTITIONS.contacts] };

/**
 * A meeting workflow: the meeting, its reminders, its notices' definitions and their recipient
 * chunks (written 25 at a time with BatchWriteItem, under the meeting's own partition).
 */
const changesMeetings: FunctionAccess = {
  items: [
    ...recordsRejections,
    readsContacts,
    {
      actions: ["GetItem", "PutItem", "Query", "DeleteItem", "BatchWriteItem"],
      partitions: [PARTITIONS.meetings],
    },
  ],
  lists: [LISTS.audience],
  publishes: [NoticesDueEvent],
};

/** A Chair workflow: the Chair's state, a handover's meeting, the Chair's notice definitions. */
const changesTheChair: FunctionAccess = {
  items: [
    ...recordsRejections,
    readsContacts,
    { actions: ["GetItem", "PutItem", "BatchWriteItem"], partitions: [PARTITIONS.chair] },
    { actions: ["GetItem"], partitions: [PARTITIONS.meetings] },
  ],
  lists: [LISTS.audience],
  publishes: [NoticesDueEvent],
};

/**
 * The one place that says what each function (`functions/<id>/`) may touch. The stateless stack
 * gives each function exactly its entry and refuses to synthesize a function without one: adding
 * a function means adding its entry here.
 */
export const FUNCTION_ACCESS = {
  // A late joiner is handed the current invitation of each upcoming meeting of its audience.
  "contact-upserted": {
    items: [
      ...recordsRejections,
      { actions: ["GetItem", "PutItem"], partitions: [PARTITIONS.contacts] },
      { actions: ["GetItem"], partitions: [PARTITIONS.meetings] },
    ],
    lists: [LISTS.meetings],
    publishes: [NoticesDueEvent],
  },
  "contact-removed": {
    items: [
      ...recordsRejections,
      { actions: ["GetItem", "PutItem"], partitions: [PARTITIONS.contacts] },
    ],
  },
  "meeting-scheduled": changesMeetings,
  "meeting-rescheduled": changesMeetings,
  "meeting-cancelled": changesMeetings,
  "chair-designated": changesTheChair,
  "chair-handover": changesTheChair,
  // Query: who declined the meeting (its RSVP# items) is left out of its reminders.
  "send-due-reminders": {
    items: [
      {
        actions: ["GetItem", "Query", "PutItem", "DeleteItem", "BatchWriteItem"],
        partitions: [PARTITIONS.meetings],
      },
    ],
    lists: [LISTS.reminders, LISTS.audience],
    publishes: [NoticesDueEvent],
  },
  "send-notices": {
    items: [
      ...recordsRejections,
      { actions: ["GetItem", "BatchGetItem"], partitions: [PARTITIONS.contacts] },
      {
        actions: ["GetItem", "PutItem", "UpdateItem", "DeleteItem"],
        partitions: [PARTITIONS.meetings, PARTITIONS.chair],
      },
    ],
    sendsEmail: true,
  },
  "record-delivery": {
    items: [
      ...recordsRejections,
      { actions: ["GetItem", "UpdateItem"], partitions: [PARTITIONS.contacts] },
      // Only for the events of messages sent before each message was tagged with its record.
      { actions: ["GetItem"], partitions: [PARTITIONS.messages] },
      { actions: ["UpdateItem"], partitions: [PARTITIONS.meetings, PARTITIONS.chair] },
    ],
  },
  "reject-unknown-event": { items: [...recordsRejections, readsContacts] },
  // Notices whose chunks were not all handed over: definitions, records and their NOTICECHUNK#
  // items under the subject's partition, listed through OPEN_NOTICES, handed over again.
  "reconcile-notices": {
    items: [
      {
        actions: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"],
        partitions: [PARTITIONS.meetings, PARTITIONS.chair],
      },
    ],
    lists: [LISTS.openNotices],
    publishes: [NoticesDueEvent],
  },
  // KpRsvp's functions. The answer page: the meeting, the contact, the answer (RSVP# and RSVPLOG#
  // items under the meeting's partition).
  "rsvp-page": {
    items: [
      // UpdateItem: a member's stop of their reminders (the link of a reminder), and its undoing.
      { actions: ["GetItem", "UpdateItem"], partitions: [PARTITIONS.contacts] },
      { actions: ["GetItem", "PutItem"], partitions: [PARTITIONS.meetings] },
    ],
  },
  // A calendar's answer: matched to the meeting and to a contact of its audience, or rejected.
  "record-reply": {
    items: [
      ...recordsRejections,
      readsContacts,
      { actions: ["GetItem", "PutItem"], partitions: [PARTITIONS.meetings] },
    ],
    lists: [LISTS.audience],
  },
  // KpConsole's API: reads what `kp` reads (never a Scan), puts the contract's events (as an
  // officer's), writes nothing to the table.
  "console-api": {
    items: [
      {
        actions: ["GetItem", "Query"],
        partitions: [PARTITIONS.meetings, PARTITIONS.chair, PARTITIONS.rejected],
      },
    ],
    lists: [LISTS.audience, LISTS.meetings],
    publishes: CONTRACT_EVENTS,
  },
} as const satisfies Record<string, FunctionAccess>;

export type FunctionId = keyof typeof FUNCTION_ACCESS;

export class MissingFunctionAccess extends Error {
  override name = "MissingFunctionAccess";
}

export function accessOf(functionId: string): FunctionAccess {
  const access = (FUNCTION_ACCESS as Record<string, FunctionAccess>)[functionId];
  if (access === undefined) {
    throw new MissingFunctionAccess(
      `Function ${functionId} has no entry in FUNCTION_ACCESS (infra/function-access.ts): say what it may touch`,
    );
  }
  return access;
}

function leadingKeys(patterns: readonly string[]) {
  return { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...patterns] } };
}

/** The statements of one function's table and bus access (SES is the stack's: it knows the set). */
export function accessStatements(
  access: FunctionAccess,
  resources: { tableArn: string; listsIndexArn: string; eventBusArn: string },
): PolicyStatement[] {
  const statements = access.items.map(
    (grant) =>
      new PolicyStatement({
        actions: grant.actions.map((action) => `dynamodb:${action}`),
        resources: [resources.tableArn],
        conditions: leadingKeys(grant.partitions),
      }),
  );
  if (access.lists !== undefined && access.lists.length > 0) {
    statements.push(
      new PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [resources.listsIndexArn],
        conditions: leadingKeys(access.lists),
      }),
    );
  }
  if (access.publishes !== undefined && access.publishes.length > 0) {
    statements.push(
      new PolicyStatement({
        actions: ["events:PutEvents"],
        resources: [resources.eventBusArn],
        conditions: {
          "ForAllValues:StringEquals": {
            "events:source": [...new Set(access.publishes.map((event) => event.source))],
            "events:detail-type": [...new Set(access.publishes.map((event) => event.detailType))],
          },
        },
      }),
    );
  }
  return statements;
}
