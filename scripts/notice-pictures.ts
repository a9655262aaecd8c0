/**
 * Pictures of every notice kind in English, French and Arabic, at desktop (1024 px) and phone
 * (390 px) width, rendered by headless Chromium from the HTML the sender sends: how a member
 * sees them. Writes docs/notices/<kind>-<language>-<width>.png.
 *
 *   npm run notices:pictures            (Chromium at /usr/bin/chromium, or CHROMIUM_PATH)
 *
 * When pngquant is installed (Debian: apt-get install pngquant), the PNGs are reduced to 64
 * colours, a tenth of their size, so the repository stays small.
 *
 * The tests check the HTML's structure without a browser; this is for people to look at.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../local/chromium.js";
import { LANGUAGES, type Language } from "../shared/contract/index.js";
import type { Contact } from "../shared/domain/contacts.js";
import type { MeetingSnapshot, NoticeDefinition, NoticeKind } from "../shared/domain/notices.js";
import { composeNotice, type RsvpLinks, type Sender } from "../shared/notices/render.js";

const OUT = join(import.meta.dirname, "..", "docs", "notices");
const WIDTHS = { desktop: 1024, phone: 390 } as const;

const sender: Sender = {
  name: "Khartoum Process Secretariat",
  address: "notices@khartoumprocess.net",
  replyTo: "secretariat@khartoumprocess.net",
};
const links: RsvpLinks = { baseUrl: "https://rsvp.khartoumprocess.net/rsvp/", secret: "pictures" };

const meeting: MeetingSnapshot = {
  meetingId: "thematic-legal-pathways-mombasa-2026",
  kind: "thematic-meeting",
  title: "Thematic Meeting on Legal Pathways",
  startsAt: "2026-03-17T09:00",
  endsAt: "2026-03-18T17:00",
  timeZone: "Africa/Nairobi",
  venue: { city: "Mombasa", country: "KE", name: "Sarova Whitesands" },
  description:
    "Day 1: labour mobility schemes and skills partnerships.\nDay 2: visa facilitation and recognition of qualifications.",
  agendaUrl: "https://www.khartoumprocess.net/agenda/legal-pathways-2026.pdf",
  sequence: 0,
};
const rescheduled: MeetingSnapshot = {
  ...meeting,
  startsAt: "2026-03-24T09:00",
  endsAt: "2026-03-25T17:00",
  sequence: 1,
  reason: "The venue in Rabat is not available on those days.",
  previous: {
    startsAt: "2026-03-17T09:00",
    endsAt: "2026-03-18T17:00",
    timeZone: "Africa/Casablanca",
    venue: { city: "Rabat", country: "MA" },
  },
};

const notices: Record<NoticeKind, NoticeDefinition> = {
  invitation: notice("invitation", meeting),
  update: notice("update", rescheduled),
  cancellation: notice("cancellation", {
    ...meeting,
    sequence: 1,
    reason: "Postponed to the second half of the year.",
  }),
  reminder: { ...notice("reminder", meeting), definedAt: "2026-03-03T06:00:00.000Z" },
  "chair-handover": {
    subjectKey: "CHAIR",
    noticeId: "handover-2026-03-18",
    kind: "chair-handover",
    definedAt: "2026-03-18T15:00:00.000Z",
    recipientCount: 1,
    chair: {
      from: "SS",
      to: "NL",
      effectiveOn: "2026-04-01",
      meetingTitle: "12th Senior Officials' Meeting",
    },
  },
  "chair-designation": {
    subjectKey: "CHAIR",
    noticeId: "designation-et",
    kind: "chair-designation",
    definedAt: "2026-02-01T10:00:00.000Z",
    recipientCount: 1,
    chair: { to: "ET", takesOfficeOn: "2027-01-01" },
  },
};

function notice(kind: NoticeKind, snapshot: MeetingSnapshot): NoticeDefinition {
  return {
    subjectKey: `MEETING#${snapshot.meetingId}`,
    noticeId: `${kind}-v${snapshot.sequence}`,
    kind,
    definedAt: "2026-02-01T10:00:00.000Z",
    recipientCount: 1,
    meeting: snapshot,
  };
}

/** A focal point of Sudan (Khartoum time, an hour from Mombasa's) with a Latin name. */
function contact(language: Language): Contact {
  return {
    contactId: "sd-focal-point-1",
    name: "Fatima Al-Mahdi",
    email: "fatima.almahdi@example.sd",
    memberState: "SD",
    roles: ["focal-point"],
    language,
    timeZone: "Africa/Khartoum",
    reminders: true,
    updatedAt: "2026-01-01T00:00:00Z",
  };
}

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const browser = await chromium.launch(CHROMIUM);

  try {
    for (const [name, width] of Object.entries(WIDTHS)) {
      const page = await browser.newPage({ viewport: { width, height: 600 } });
      // The notice only: no request leaves the machine (the links point nowhere real).
      await page.route("**/*", (route) => route.abort());
      for (const [kind, definition] of Object.entries(notices)) {
        for (const language of LANGUAGES) {
          const email = composeNotice(definition, contact(language), sender, links);
          await page.setContent(email.html, { waitUntil: "load" });
          const file = join(OUT, `${kind}-${language}-${name}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
        }
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  await shrink();
}

/** Reduces each PNG to a 64-colour palette in place, when pngquant is there. */
async function shrink(): Promise<void> {
  const files = (await readdir(OUT)).filter((file) => file.endsWith(".png"));
  const run = spawnSync(
    "pngquant",
    ["--force", "--ext", ".png", "--speed", "1", "64", ...files.map((file) => join(OUT, file))],
    { stdio: "inherit" },
  );
  if (run.error !== undefined) {
    console.log(`pngquant not found (${run.error.message}): the PNGs are left at full size`);
  } else if (run.status !== 0) {
    throw new Error(`pngquant failed with status ${run.status}`);
  }
}

await main();
