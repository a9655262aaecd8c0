import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactsFromCsv } from "../../cli/contacts-csv.js";
import { runKp } from "../../cli/kp.js";
import { CHROMIUM, upcomingMeeting } from "../support/console.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const CSV_FILE = join(import.meta.dirname, "..", "fixtures", "contacts.csv");
const MEETING_ID = "sc-browser-rome";

const CONTACTS = [
  ["de-fp-b", "Dana Weber", "dana.b@example.org", "DE", "en"],
  ["fr-fp-b", "Félix Martin", "felix.b@example.org", "FR", "fr"],
  ["it-fp-b", "Ida Rossi", "ida.b@example.org", "IT", "en"],
] as const;

describe("the console in a browser: an officer schedules, watches and corrects; a viewer only reads", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let web: string;

  async function signInAs(user: "officer" | "viewer") {
    await page.goto(`${web}/#/`);
    await page.evaluate("sessionStorage.clear()");
    await page.reload();
    await page.getByRole("button", { name: `Sign in as the local ${user}` }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  }

  async function seriousViolations(): Promise<string[]> {
    // Evaluated, not added as a script: the console's CSP refuses inline scripts.
    await page.evaluate(AXE);
    const results = (await page.evaluate("axe.run().then((found) => found.violations)")) as {
      id: string;
      impact: string;
      nodes: { target: string[] }[];
    }[];
    return results
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
      );
  }

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack(), chromium.launch(CHROMIUM)]);
    web = stack.runtime.description.webEndpoint ?? "";
    page = await browser.newPage();
    await stack.put(
      ...CONTACTS.map(([contactId, name, email, memberState, language]) => ({
        detailType: "Contact Upserted",
        detail: { contactId, name, email, memberState, language, roles: ["focal-point"] },
      })),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signs in as the local officer, marked as local", async () => {
    await page.goto(`${web}/`);
    expect(await page.getByText("LOCAL – built-in users").count()).toBe(1);
    await signInAs("officer");
    expect(await page.getByText("local-officer · officer (may put events)").count()).toBe(1);
    expect(await page.getByText("No dead letters waiting.").count()).toBe(1);
    expect(await page.getByText("Production access: SES sends to any address.").count()).toBe(1);
    expect(await page.locator(".warning").count()).toBe(0);
    await page.getByRole("button", { name: "Français" }).click();
    await page.getByRole("heading", { name: "Vue d’ensemble", level: 1 }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    expect(await page.getByText("Aucune lettre morte en attente.").count()).toBe(1);
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  });

  it("warns on the overview of a dead letter waiting, with what to do about it", async () => {
    // Prepare: a contact-upserted that crashes on its first attempt and both retries.
    const crash = await runKp(
      ["chaos", "crash", "contact-upserted", "--next", "3", "--after", "0"].concat(
        "--local-dir",
        stack.dataDir,
      ),
      { out: () => undefined, err: () => undefined },
    );
    expect(crash).toBe(0);
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "lu-fp-b",
        name: "Luc Weis",
        email: "luc.b@example.org",
        memberState: "LU",
      },
    });
    await stack.runtime.idle();

    // Act
    await page.goto(`${web}/#/`);
    await page.reload();

    // Assess
    const warning = page.locator(".warning").filter({ hasText: "dead letter(s) waiting" });
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      "Needs attention: 1 dead letter(s) waiting: FailedEvents 1.",
    );
    expect(await warning.textContent()).toContain("kp redrive");
  });

  it("schedules a meeting through the form: a preview per language, the invitations in the local SES, the coverage filled in", async () => {
    await page.goto(`${web}/#/meetings`);
    const form = page.getByRole("form", { name: "Meeting Scheduled" });
    const meeting = upcomingMeeting(MEETING_ID);
    await form.getByLabel("Meeting id").fill(meeting.meetingId);
    await form.getByLabel("Kind of meeting").selectOption(meeting.kind);
    await form.getByLabel("Title").fill(meeting.title);
    await form.getByLabel("Starts (venue time)").fill(meeting.startsAt);
    await form.getByLabel("Ends (venue time)").fill(meeting.endsAt);
    await form.getByLabel("Time zone of the venue").fill(meeting.timeZone);
    await form.getByLabel("City").fill(meeting.venue.city);
    await form.getByLabel("Country (2 letters)").fill(meeting.venue.country);
    await form.getByRole("button", { name: "Preview the notice" }).click();
    await form.getByRole("heading", { name: /As received in fr/ }).waitFor();
    expect(await form.getByRole("heading", { name: /As received in en \(2 contact/ }).count()).toBe(
      1,
    );
    const french = form.getByRole("region", { name: "As received in fr" });
    expect(await french.locator(".email").textContent()).toContain("Rome");
    expect(await french.locator(".email").getAttribute("lang")).toBe("fr");
    await form.getByRole("button", { name: "Put the event" }).click();
    await form.getByRole("status").filter({ hasText: "Put on the bus as event" }).waitFor();

    await stack.runtime.idle();
    const invited = (await storedEmails(stack.runtime.description.sesEndpoint))
      .filter((email) => email.subject.includes(meeting.title))
      .map(recipientOf)
      .sort();
    expect(invited).toEqual(["dana.b@example.org", "felix.b@example.org", "ida.b@example.org"]);

    await page.goto(`${web}/#/meetings/${MEETING_ID}`);
    for (const code of ["DE", "FR", "IT"]) {
      await page.locator(`path[data-code="${code}"][data-reach="reached"]`).waitFor();
    }
    expect(await page.locator('path[data-code="AT"]').getAttribute("data-reach")).toBe("noContact");
    expect(
      await page.locator('tr[data-represents="DE"] td[data-column="delivered"]').textContent(),
    ).toBe("1");
  });

  it("puts an impossible date beside its field, in plain words, and sends nothing", async () => {
    await page.goto(`${web}/#/meetings`);
    const form = page.getByRole("form", { name: "Meeting Scheduled" });
    const meeting = upcomingMeeting("sc-impossible-date");
    await form.getByLabel("Meeting id").fill(meeting.meetingId);
    await form.getByLabel("Title").fill(meeting.title);
    await form.getByLabel("Starts (venue time)").fill("2031-02-30T09:00");
    await form.getByLabel("Ends (venue time)").fill("2031-02-30T17:00");
    await form.getByLabel("Time zone of the venue").fill("Europe/Rome");
    await form.getByLabel("City").fill("Rome");
    await form.getByLabel("Country (2 letters)").fill("IT");
    await form.getByRole("button", { name: "Put the event" }).click();
    const error = page.locator("#Meeting-Scheduled-startsAt-error");
    expect(await error.textContent()).toBe("Starts (venue time): is not a valid date and time");
    expect(await form.getByLabel("Starts (venue time)").getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByRole("status").count()).toBe(0);
  });

  it("corrects a rejected event and puts it again, from a form filled in with it", async () => {
    await stack.put({
      detailType: "Meeting Rescheduled",
      detail: {
        meetingId: "sc-browser-rom",
        startsAt: upcomingMeeting("x", 31).startsAt,
        endsAt: upcomingMeeting("x", 31).endsAt,
        reason: "The venue is booked",
      },
    });
    await page.goto(`${web}/#/rejected`);
    const item = page
      .getByRole("listitem")
      .filter({ hasText: "There is no meeting sc-browser-rom to reschedule" });
    await item.getByRole("button", { name: "Correct and put again" }).click();
    const form = item.getByRole("form", { name: "Correct and put again: Meeting Rescheduled" });
    expect(await form.getByLabel("Reason").inputValue()).toBe("The venue is booked");
    await form.getByLabel("Meeting id").fill(MEETING_ID);
    await form.getByRole("button", { name: "Put the event" }).click();
    await form.getByRole("status").filter({ hasText: "Put on the bus as event" }).waitFor();
    await stack.runtime.idle();
    await page.goto(`${web}/#/meetings`);
    const row = page.getByRole("row").filter({ hasText: MEETING_ID });
    expect(await row.textContent()).toContain(upcomingMeeting("x", 31).startsAt.replace("T", " "));
  });

  it("previews a CSV import: the rows it would put and the reasons for those refused", async () => {
    await page.goto(`${web}/#/contacts`);
    await page.getByLabel("CSV file").setInputFiles(CSV_FILE);
    await page.getByRole("button", { name: "Preview the rows" }).click();
    const expected = contactsFromCsv(readFileSync(CSV_FILE, "utf8"));
    await page
      .getByText(
        `${expected.events.length} rows ready to put, ${expected.refused.length} rows refused`,
      )
      .waitFor();
    const refused = page.locator("table.refused tbody tr");
    expect(await refused.count()).toBe(expected.refused.length);
    expect(await refused.filter({ hasText: "bad-row-1" }).count()).toBe(1);
    expect(
      await page.getByRole("button", { name: `Put ${expected.events.length} contact(s)` }).count(),
    ).toBe(1);
  });

  it("removes a contact after a confirmation that says what it erases", async () => {
    await page.goto(`${web}/#/contacts`);
    await page.getByLabel("Search (name, email, id)").fill("Ida");
    await page.getByRole("button", { name: "Remove Ida Rossi" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Remove" });
    expect(await dialog.textContent()).toContain(
      "Removing Ida Rossi (it-fp-b) erases their name and email address from the contacts",
    );
    await dialog.getByRole("button", { name: "Erase this contact" }).click();
    await page.getByRole("status").filter({ hasText: "Remove: it-fp-b" }).waitFor();
    await stack.runtime.idle();
    await page.reload();
    await page.getByLabel("Search (name, email, id)").fill("Ida");
    await page.getByText("0 contact(s)").waitFor();
  });

  it("designates the next Chair through the Chair's form", async () => {
    await page.goto(`${web}/#/chair`);
    const form = page.getByRole("form", { name: "Designate the next Chair" });
    await form.getByLabel("Member state").selectOption("FR");
    await form.getByRole("button", { name: "Put the event" }).click();
    await form.getByRole("status").filter({ hasText: "Put on the bus as event" }).waitFor();
    await stack.runtime.idle();
    await page.reload();
    await page.getByText("Upcoming Chair: France").waitFor();
  });

  it("has no serious or critical accessibility violations on any page", async () => {
    const found: Record<string, string[]> = {};
    for (const path of [
      "/",
      "/meetings",
      `/meetings/${MEETING_ID}`,
      "/contacts",
      "/chair",
      "/rejected",
    ]) {
      await page.goto(`${web}/#${path}`);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForLoadState("networkidle");
      found[path] = await seriousViolations();
    }
    await page.evaluate("sessionStorage.clear()");
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    found["sign-in"] = await seriousViolations();
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((path) => [path, []])));
  });

  it("lets a viewer read but not put: no put button, and the API refuses", async () => {
    await signInAs("viewer");
    await page.goto(`${web}/#/meetings`);
    await page.getByRole("form", { name: "Meeting Scheduled" }).waitFor();
    expect(await page.getByRole("button", { name: "Put the event" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Preview the notice" }).count()).toBe(1);
    await page.goto(`${web}/#/contacts`);
    await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: "Add a contact" }).count()).toBe(0);
    // What a viewer's browser would send if the button were there: the API refuses it.
    const status = await page.evaluate(`(async () => {
      const session = JSON.parse(sessionStorage.getItem("kp-console-session") ?? "{}");
      const response = await fetch("/api/events", {
        method: "POST",
        headers: { authorization: "Bearer " + session.token, "content-type": "application/json" },
        body: JSON.stringify({ events: [{ detailType: "Contact Removed", detail: { contactId: "de-fp-b" } }] }),
      });
      return response.status;
    })()`);
    expect(status).toBe(403);
  });
});
