import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { chromium } from "playwright-core";
import { contactsFromCsv } from "../cli/contacts-csv.js";
import { DEFAULT_EVENT_BUS_NAME, SOURCE } from "../shared/contract/index.js";
import { CHROMIUM } from "./chromium.js";
import { startLocalRuntime } from "./runtime.js";

/**
 * Screenshots of every page of the console (docs/console/*.png), from a fresh local runtime
 * holding the contacts of test/fixtures/contacts.csv and an upcoming meeting:
 * `npm run screenshots`.
 */
const projectDir = resolve(import.meta.dirname, "..");
const outDir = join(projectDir, "docs", "console");
const dataDir = mkdtempSync(join(tmpdir(), "kp-screenshots-"));
mkdirSync(outDir, { recursive: true });
process.env.TZ = "UTC";

const runtime = await startLocalRuntime({
  projectDir,
  dataDir,
  // The assembly `npm start` runs, synthesized again only if the sources changed.
  assemblyDir: join(projectDir, ".kp-local", "cdk.out"),
  ports: { eventBridge: 0, ses: 0, dynamodb: 0, smtp: 0, web: 0 },
});
const browser = await chromium.launch(CHROMIUM);
try {
  const { description } = runtime;
  const eventBridge = new EventBridgeClient({
    endpoint: description.eventBridgeEndpoint,
    region: description.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const csv = readFileSync(join(projectDir, "test", "fixtures", "contacts.csv"), "utf8");
  const events = [
    ...contactsFromCsv(csv).events,
    {
      detailType: "Meeting Scheduled",
      detail: {
        meetingId: "sc-rome-screens",
        kind: "steering-committee-meeting",
        title: "Steering Committee Meeting",
        startsAt: `${day}T09:00`,
        endsAt: `${day}T17:00`,
        timeZone: "Europe/Rome",
        venue: { city: "Rome", country: "IT" },
        audience: "steering-committee",
      },
    },
    { detailType: "Meeting Cancelled", detail: { meetingId: "sc-no-such-meeting" } },
  ];
  for (const event of events) {
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: DEFAULT_EVENT_BUS_NAME,
            Source: SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    await runtime.idle();
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const web = description.webEndpoint ?? "";
  await page.goto(`${web}/`);
  await page.screenshot({ path: join(outDir, "sign-in.png") });
  await page.getByRole("button", { name: "Sign in as the local officer" }).click();
  const pages: [string, string][] = [
    ["overview", "/"],
    ["meetings", "/meetings"],
    ["meeting", "/meetings/sc-rome-screens"],
    ["contacts", "/contacts"],
    ["chair", "/chair"],
    ["rejected", "/rejected"],
  ];
  for (const [name, path] of pages) {
    await page.goto(`${web}/#${path}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.waitForLoadState("networkidle");
    if (name === "meeting") await page.locator("figure.map svg").waitFor();
    if (name === "meetings") {
      // The schedule form filled in, and the notice as each language's contacts receive it.
      const form = page.getByRole("form", { name: "Meeting Scheduled" });
      const fields: [string, string][] = [
        ["Meeting id", "som-13-valletta"],
        ["Title", "13th Senior Officials' Meeting"],
        ["Starts (venue time)", `${day}T09:30`],
        ["Ends (venue time)", `${day}T17:00`],
        ["Time zone of the venue", "Europe/Malta"],
        ["City", "Valletta"],
        ["Country (2 letters)", "MT"],
      ];
      for (const [label, value] of fields) await form.getByLabel(label).fill(value);
      await form.getByRole("button", { name: "Preview the notice" }).click();
      await form.getByRole("heading", { name: /As received in fr/ }).waitFor();
    }
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
    console.log(`docs/console/${name}.png`);
  }
  eventBridge.destroy();
} finally {
  await browser.close();
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
