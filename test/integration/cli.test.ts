import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

const CSV = resolve(import.meta.dirname, "..", "fixtures", "contacts.csv");
const BERLIN = resolve(import.meta.dirname, "..", "fixtures", "entries-chair-and-contact.json");

describe("kp, the secretariat's CLI, against the local runtime", () => {
  let stack: LocalStack;
  let contacts: DynamoContactRepository;

  beforeAll(async () => {
    stack = await startLocalStack();
    contacts = new DynamoContactRepository(stack.documents, stack.tableName);
  });
  afterAll(() => stack.stop());

  async function kp(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runKp([...argv, "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    await stack.runtime.idle();
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  it("puts a Contact Upserted built from flags", async () => {
    const result = await kp(
      "put",
      "contact-upserted",
      "--contactId",
      "ke-focal-point-1",
      "--name",
      "Amina Otieno",
      "--email",
      "amina@example.ke",
      "--memberState",
      "KE",
      "--roles",
      "focal-point,senior-official",
      "--reminders",
      "false",
    );

    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toMatch(
      /^Put Contact Upserted → the local runtime .*: event [0-9a-f-]{36}$/,
    );
    expect(await contacts.get("ke-focal-point-1")).toMatchObject({
      roles: ["focal-point", "senior-official"],
      reminders: false,
      timeZone: "Africa/Nairobi",
    });
  });

  it("refuses an invalid event before sending it, with the reason and a non-zero exit", async () => {
    const result = await kp("put", "Contact Upserted", "--contactId", "x", "--email", "nope");

    expect(result.code).toBe(1);
    expect(result.err).toContain("Not sent: Contact Upserted:");
    expect(result.err).toContain("detail.name: is required");
    expect(await contacts.get("x")).toBeUndefined();
  });

  it("puts PutEvents entries from a file, as the AWS CLI takes them", async () => {
    const result = await kp("put", "--file", BERLIN, "--json");

    const sent = JSON.parse(result.out) as { detailType: string; eventId?: string }[];
    expect(result.code).toBe(0);
    expect(sent.map((item) => item.detailType)).toEqual(["Contact Upserted", "Contact Removed"]);
    expect(sent.every((item) => item.eventId !== undefined)).toBe(true);
  });

  it("names an unknown detail-type and exits 2", async () => {
    const result = await kp("put", "meeting-moved", "--meetingId", "x");

    expect(result.code).toBe(2);
    expect(result.err).toContain('Unknown detail-type "meeting-moved"');
  });

  it("imports a CSV of contacts: one event per valid row, a summary of the refused rows", async () => {
    const result = await kp("contacts", "import", CSV, "--json");

    const summary = JSON.parse(result.out) as {
      rows: number;
      sent: number;
      refused: { line: number; reason: string }[];
    };
    expect(result.code).toBe(1);
    expect(summary).toMatchObject({ rows: 6, sent: 4 });
    expect(summary.refused).toEqual([
      expect.objectContaining({
        line: 6,
        reason: expect.stringContaining("detail.email: must be an email address"),
      }),
      expect.objectContaining({
        line: 7,
        reason: "contactId de-focal-point-2 already appears on line 2",
      }),
    ]);
    expect(await contacts.get("eg-focal-point-1")).toMatchObject({
      name: "Nour El-Din, Dr.",
      language: "ar",
      timeZone: "Africa/Cairo",
    });
    expect(await contacts.get("fr-observer-1")).toMatchObject({
      reminders: false,
      timeZone: "Europe/Paris",
    });
  });

  it("lists contacts, as a table and as JSON", async () => {
    const text = await kp("contacts", "list");
    const json = await kp("contacts", "list", "--json");

    expect(text.out).toMatch(/icmpd-staff-1\s+Martin Huber\s+martin@example.org\s+ICMPD/);
    const ids = (JSON.parse(json.out) as { contactId: string }[]).map(
      (contact) => contact.contactId,
    );
    expect(ids).toEqual(
      expect.arrayContaining(["ke-focal-point-1", "de-focal-point-2", "icmpd-staff-1"]),
    );
  });

  it("lists rejected events with their reasons", async () => {
    await stack.put({ detailType: "Contact Removed", detail: { contactId: "never-existed" } });

    const text = await kp("rejected");
    const json = await kp("rejected", "--json");

    expect(text.out).toContain("There is no contact never-existed yet: it is kept as removed");
    expect((JSON.parse(json.out) as { reason: string }[])[0]?.reason).toMatch(
      /^There is no contact never-existed yet: it is kept as removed, so that a Contact Upserted for it sent at or before .* is refused/,
    );
  });
});

describe("kp put --dry-run", () => {
  it("validates without sending and keeps --dry-run out of the detail", async () => {
    const out: string[] = [];
    const code = await runKp(
      [
        "put",
        "contact-removed",
        "--contactId",
        "de-focal-point-1",
        "--dry-run",
        "--endpoint",
        "http://127.0.0.1:9",
      ],
      {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      },
    );

    expect(code).toBe(0);
    expect(out).toEqual(["1 event(s) valid; nothing sent (--dry-run)"]);
  });
});
