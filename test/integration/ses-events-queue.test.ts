import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { noticeMessageTags } from "../../shared/contract/ses-events.js";
import { meetingSubject } from "../../shared/domain/meetings.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

const CONTACTS = 100;
const MEETING = {
  meetingId: "ses-events-batched-2027",
  kind: "thematic-meeting",
  title: "Thematic Meeting on Labour Migration",
  startsAt: "2027-06-14T09:00",
  endsAt: "2027-06-14T17:00",
  timeZone: "Africa/Nairobi",
  venue: { city: "Nairobi", country: "KE" },
  audience: { countries: ["KE"] },
};

describe("SES's events reach record-delivery through a queue, in batches", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
    // PutEvents takes 10 entries at a time.
    for (let first = 0; first < CONTACTS; first += 10) {
      await stack.put(
        ...Array.from({ length: 10 }, (_, offset) => ({
          detailType: "Contact Upserted",
          detail: {
            contactId: `ke-delegate-${first + offset}`,
            name: `Delegate ${first + offset}`,
            email: `delegate-${first + offset}@example.ke`,
            memberState: "KE",
          },
        })),
      );
    }
    stack.runtime.lambda.invocations.clear();
    await stack.put({ detailType: "Meeting Scheduled", detail: MEETING });
  });
  afterAll(() => stack.stop());

  it("records every recipient's delivery with at most one invocation per 10 recipients", async () => {
    const records = await new DynamoNoticeRepository(stack.documents, stack.tableName).listRecords(
      meetingSubject(MEETING.meetingId),
    );
    const invocations = stack.runtime.lambda.invocations.get("record-delivery") ?? 0;

    expect(records).toHaveLength(CONTACTS);
    expect(records.filter((record) => record.delivery === "delivered")).toHaveLength(CONTACTS);
    expect(invocations).toBeGreaterThanOrEqual(1);
    expect(invocations / CONTACTS).toBeLessThanOrEqual(0.1);
    // Every message was deleted: nothing is left in the queue or its dead-letter queue.
    expect(stack.runtime.journal.size()).toBe(0);
    expect(await stack.runtime.deadLetters.list()).toEqual([]);
  });

  it("moves an event record-delivery failed on 5 times to the queue's dead-letter queue", async () => {
    const { runtime } = stack;
    const queue = runtime.system.queues.find((candidate) => candidate.redrive !== undefined);
    const configurationSet = runtime.system.sesEventDestinations[0]?.configurationSetName ?? "";
    runtime.chaos.inject({ fault: "crash", function: "record-delivery", next: 5, after: 0 });
    runtime.lambda.invocations.clear();
    // A soft bounce of the first delegate's invitation, as SES reports it.
    const notices = new DynamoNoticeRepository(stack.documents, stack.tableName);
    const [record] = (await notices.listRecords(meetingSubject(MEETING.meetingId))).filter(
      (candidate) => candidate.contactId === "ke-delegate-0",
    );
    const tags = Object.fromEntries(
      noticeMessageTags({
        subjectKey: meetingSubject(MEETING.meetingId),
        noticeId: record?.noticeId ?? "",
        contactId: "ke-delegate-0",
      }).map((tag) => [tag.Name, [tag.Value]]),
    );
    const event = runtime.eventBus.envelope({
      source: "aws.ses",
      detailType: "Email Bounced",
      detail: {
        eventType: "Bounce",
        mail: {
          messageId: record?.messageId ?? "",
          tags: { ...tags, "ses:configuration-set": [configurationSet] },
        },
        bounce: { bounceType: "Transient", bounceSubType: "MailboxFull" },
      },
    });
    runtime.eventBus.publish("default", event);
    await runtime.idle();

    const letters = await runtime.deadLetters.list();
    expect(queue?.redrive?.maxReceiveCount).toBe(5);
    expect(runtime.lambda.invocations.get("record-delivery")).toBe(5);
    expect(letters).toHaveLength(1);
    expect(queue?.redrive?.deadLetterTargetArn).toContain(letters[0]?.queueName);
    expect(letters[0]?.queueName).toMatch(/SesEventsDeadLetters/);
    expect(JSON.parse(letters[0]?.body ?? "{}")).toEqual(event);
    expect(letters[0]?.attributes.ApproximateReceiveCount).toBe("5");
    expect(runtime.journal.size()).toBe(0);
  });

  it("lists the letter in kp dead-letters and kp redrive moves it back to its queue, where it is recorded", async () => {
    const { runtime } = stack;
    const kp = async (...args: string[]) => {
      const out: string[] = [];
      const code = await runKp([...args, "--local-dir", stack.dataDir], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      });
      return { code, out: out.join("\n") };
    };
    runtime.lambda.invocations.clear();

    const listed = JSON.parse((await kp("dead-letters", "--json")).out) as {
      queue: string;
      sourceQueueArn?: string;
      event?: { detailType: string };
    }[];
    const dryRun = await kp("redrive", "--dry-run");
    const redriven = await kp("redrive");
    await runtime.idle();

    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      queue: expect.stringMatching(/SesEventsDeadLetters/),
      sourceQueueArn: expect.stringMatching(/:[^:]*SesEvents(?!DeadLetters)[^:]*$/),
      event: { detailType: "Email Bounced" },
    });
    expect(dryRun.out).toMatch(/Would move back {2}Email Bounced .*→ .*SesEvents/);
    expect(await runtime.deadLetters.list()).toHaveLength(0);
    expect(redriven.code).toBe(0);
    expect(redriven.out).toMatch(/Moved back {2}Email Bounced/);
    expect(runtime.lambda.invocations.get("record-delivery")).toBe(1);
    const records = await new DynamoNoticeRepository(stack.documents, stack.tableName).listRecords(
      meetingSubject(MEETING.meetingId),
    );
    expect(records.find((record) => record.contactId === "ke-delegate-0")?.delivery).toBe(
      "soft-bounced",
    );
    expect(runtime.journal.size()).toBe(0);
  });
});
