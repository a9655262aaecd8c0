import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeadLetterQueues } from "../../local/dead-letters.js";

const FAILED = "arn:aws:sqs:eu-central-1:000000000000:KpStateful-FailedEvents";
const UNDELIVERED = "arn:aws:sqs:eu-central-1:000000000000:KpStateful-UndeliveredEvents";

describe("the local runtime's dead-letter queues", () => {
  let directory: string;
  let queues: DeadLetterQueues;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "kp-dead-letters-"));
    queues = new DeadLetterQueues(directory, [
      { logicalId: "FailedEvents", queueName: "KpStateful-FailedEvents", arn: FAILED },
      {
        logicalId: "UndeliveredEvents",
        queueName: "KpStateful-UndeliveredEvents",
        arn: UNDELIVERED,
      },
    ]);
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("deletes the letter named, from its own queue, and loses no letter sent meanwhile", async () => {
    // Prepare
    const first = await queues.send(FAILED, { id: "e-1" }, { ErrorMessage: "boom" });
    const second = await queues.send(FAILED, { id: "e-2" }, { ErrorMessage: "boom" });
    const other = await queues.send(UNDELIVERED, { id: "e-3" }, { ERROR_CODE: "X" });

    // Act: a deletion and a new letter at the same time.
    const [removed, third] = await Promise.all([
      queues.remove(first.messageId),
      queues.send(FAILED, { id: "e-4" }, { ErrorMessage: "boom" }),
    ]);
    const again = await queues.remove(first.messageId);

    // Assess
    expect(removed).toBe(true);
    expect(again).toBe(false);
    expect((await queues.list()).map((letter) => letter.messageId).sort()).toEqual(
      [second.messageId, other.messageId, third.messageId].sort(),
    );
  });
});
