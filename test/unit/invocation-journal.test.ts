import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  InvocationJournal,
  type JournalledInvocation,
  ScheduleJournal,
} from "../../local/invocation-journal.js";

function invocation(id: string, queuedAt: number): JournalledInvocation {
  return {
    id,
    rule: "send-notices-rule",
    targetArn: "arn:aws:lambda:eu-central-1:000000000000:function:send-notices",
    event: { id: `event-${id}` },
    payload: { id: `event-${id}` },
    attempts: 0,
    dueAt: queuedAt,
    queuedAt,
  };
}

describe("InvocationJournal", () => {
  it("gives back every recorded invocation, oldest first, as a new journal on the same folder", () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "kp-journal-"));
    const journal = new InvocationJournal(directory);
    journal.record(invocation("b", 2000));
    journal.record(invocation("a", 1000));

    // Act
    const reopened = new InvocationJournal(directory).list();

    // Assess
    expect(reopened.map((entry) => entry.id)).toEqual(["a", "b"]);
  });

  it("keeps the latest attempt count of a retried invocation, and forgets a done one", () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "kp-journal-"));
    const journal = new InvocationJournal(directory);
    journal.record(invocation("retried", 1000));
    journal.record(invocation("done", 1000));

    // Act
    journal.record({ ...invocation("retried", 1000), attempts: 2, dueAt: 5000 });
    journal.remove("done");

    // Assess
    expect(journal.list()).toEqual([{ ...invocation("retried", 1000), attempts: 2, dueAt: 5000 }]);
    expect(journal.size()).toBe(1);
  });

  it("discards a half-written temporary file left by a kill", () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "kp-journal-"));
    const journal = new InvocationJournal(directory);
    journal.record(invocation("whole", 1000));
    writeFileSync(join(directory, "cut.json.1234.tmp"), '{"id":"cut","rule');

    // Act
    const listed = journal.list();

    // Assess
    expect(listed.map((entry) => entry.id)).toEqual(["whole"]);
    expect(readdirSync(directory)).toEqual(["whole.json"]);
  });
});

describe("ScheduleJournal", () => {
  it("remembers when each schedule last fired across a restart", () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), "kp-schedules-")), "schedules.json");
    new ScheduleJournal(file).fired("sweep", 1_700_000_000_000);

    // Act
    const reopened = new ScheduleJournal(file);

    // Assess
    expect(reopened.get("sweep")).toBe(1_700_000_000_000);
    expect(reopened.get("other")).toBeUndefined();
  });
});
