import type { Language } from "../contract/index.js";
import { type Contact, representing } from "../domain/contacts.js";
import type { OutgoingEmail } from "../domain/deliver-notices.js";
import type { MeetingSnapshot, NoticeDefinition } from "../domain/notices.js";
import { RSVP_ANSWERS } from "../domain/rsvp.js";
import { signRsvpToken } from "../domain/rsvp-token.js";
import { instantAt, sameWallClock } from "../domain/time.js";
import { findMemberState, findOrganisation } from "../reference/index.js";
import { meetingCalendar } from "./calendar.js";
import { LOCALES, type MessageKey, message } from "./messages.js";

export interface Sender {
  name: string;
  address: string;
  /** The calendar's ORGANIZER, where calendar replies go (SES receiving); else `address`. */
  organizer?: string;
}

/** Where the answer links point (the RSVP endpoint, ending in "/rsvp/") and the signing secret. */
export interface RsvpLinks {
  baseUrl: string;
  secret: string;
}

interface AnswerLink {
  label: string;
  href: string;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Every value from an event goes into HTML through this. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** Intl formatters are costly to build and the same few serve every notice: build each once. */
const formatters = new Map<string, unknown>();
function cached<T>(key: string, build: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (formatter === undefined) {
    formatter = build();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function countryName(code: string, language: Language): string {
  if (language === "en") return findMemberState(code)?.name ?? code;
  const names = cached(
    `names:${language}`,
    () => new Intl.DisplayNames([LOCALES[language]], { type: "region" }),
  );
  return names.of(code) ?? code;
}

/** "Kenya" (in the contact's language) or the organisation's full name. */
function representingIn(contact: Contact, language: Language): string {
  if (contact.memberState !== undefined) return countryName(contact.memberState, language);
  return findOrganisation(contact.organisation ?? "")?.name ?? representing(contact);
}

function dateRange(start: Date, end: Date, timeZone: string, language: Language): string {
  return cached(
    `range:${language}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        timeZone,
        weekday: "long",
        day: "numeric",
        month: "long",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
  ).formatRange(start, end);
}

function shortDate(instant: Date, timeZone: string, language: Language): string {
  return cached(
    `date:${language}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        timeZone,
        day: "numeric",
        month: "long",
        year: "numeric",
      }),
  ).format(instant);
}

function calendarDate(date: string, language: Language): string {
  return shortDate(new Date(`${date}T12:00:00Z`), "UTC", language);
}

/** "in 14 days", from when the notice was defined (a late reminder says the true time left). */
function relativeDays(start: Date, from: Date, language: Language): string {
  const days = Math.max(0, Math.round((start.getTime() - from.getTime()) / 86_400_000));
  const relative = cached(
    `relative:${language}`,
    () => new Intl.RelativeTimeFormat(LOCALES[language], { numeric: "auto" }),
  );
  return relative.format(days, "day");
}

interface Line {
  label?: string;
  text: string;
  href?: string;
}

interface Body {
  subject: string;
  paragraphs: string[];
  lines: Line[];
  note?: string;
  /** "I will attend / I will not attend / Not sure yet", each a signed link. */
  answers?: AnswerLink[];
}

/** The answer links of a meeting notice: each token names the meeting, the contact, the answer. */
function answerLinks(meeting: MeetingSnapshot, contact: Contact, links: RsvpLinks): AnswerLink[] {
  // A link answers until the meeting ends.
  const expiresAt = instantAt(meeting.endsAt, meeting.timeZone);
  return RSVP_ANSWERS.map((answer) => ({
    label: message(contact.language, `rsvp.${answer}`),
    href: `${links.baseUrl}${signRsvpToken(
      { meetingId: meeting.meetingId, contactId: contact.contactId, answer, expiresAt },
      links.secret,
    )}`,
  }));
}

function meetingLines(meeting: MeetingSnapshot, contact: Contact, language: Language): Line[] {
  const t = (key: MessageKey) => message(language, key);
  const start = instantAt(meeting.startsAt, meeting.timeZone);
  const end = instantAt(meeting.endsAt, meeting.timeZone);
  const kind = t(`kind.${meeting.kind}` as MessageKey);
  const lines: Line[] = [
    { label: t("label.meeting"), text: `${meeting.title} (${kind})` },
    {
      label: t("label.when"),
      text: `${dateRange(start, end, meeting.timeZone, language)} (${t("label.venue-time")}${t("sep.list")}${meeting.timeZone})`,
    },
  ];
  const ownZone = contact.timeZone;
  if (
    !sameWallClock(start, meeting.timeZone, ownZone) ||
    !sameWallClock(end, meeting.timeZone, ownZone)
  ) {
    lines.push({
      text: `${dateRange(start, end, ownZone, language)} (${t("label.your-time")}${t("sep.list")}${ownZone})`,
    });
  }
  lines.push({ label: t("label.where"), text: venueText(meeting, language) });
  if (meeting.agendaUrl !== undefined) {
    lines.push({ label: t("label.agenda"), text: meeting.agendaUrl, href: meeting.agendaUrl });
  }
  if (meeting.reason !== undefined) lines.push({ label: t("label.reason"), text: meeting.reason });
  return lines;
}

export function venueText(meeting: Pick<MeetingSnapshot, "venue">, language: Language): string {
  const { venue } = meeting;
  return [venue.name, venue.city, countryName(venue.country, language)]
    .filter(Boolean)
    .join(message(language, "sep.list"));
}

function meetingBody(
  definition: NoticeDefinition,
  meeting: MeetingSnapshot,
  contact: Contact,
): Body {
  const language = contact.language;
  const start = instantAt(meeting.startsAt, meeting.timeZone);
  const kind = definition.kind as "invitation" | "update" | "cancellation" | "reminder";
  const subject = message(language, `subject.${kind}`, {
    title: meeting.title,
    city: meeting.venue.city,
    date: shortDate(start, meeting.timeZone, language),
  });
  const intro = message(language, `intro.${kind}`, {
    relative: relativeDays(start, new Date(definition.definedAt), language),
  });
  return {
    subject,
    paragraphs: [intro],
    lines: meetingLines(meeting, contact, language),
    ...(meeting.description === undefined ? {} : { note: meeting.description }),
  };
}

function chairBody(definition: NoticeDefinition, contact: Contact): Body {
  const language = contact.language;
  const chair = definition.chair;
  if (chair === undefined) throw new Error(`${definition.noticeId} has no Chair content`);
  const to = countryName(chair.to, language);
  const from = chair.from === undefined ? "" : countryName(chair.from, language);
  if (definition.kind === "chair-handover") {
    return {
      subject: message(language, "subject.chair-handover", { from, to }),
      paragraphs: [
        message(language, "chair.handover", {
          from,
          to,
          date: chair.effectiveOn === undefined ? "" : calendarDate(chair.effectiveOn, language),
        }),
        ...(chair.meetingTitle === undefined
          ? []
          : [message(language, "chair.handover-at", { meeting: chair.meetingTitle })]),
      ],
      lines: [],
    };
  }
  return {
    subject: message(language, "subject.chair-designation", { to }),
    paragraphs: [
      message(language, "chair.designation", { to }),
      ...(chair.takesOfficeOn === undefined
        ? []
        : [
            message(language, "chair.takes-office", {
              to,
              date: calendarDate(chair.takesOfficeOn, language),
            }),
          ]),
    ],
    lines: [],
  };
}

function text(body: Body, contact: Contact, withCalendar: boolean): string {
  const language = contact.language;
  return [
    message(language, "greeting", { name: contact.name }),
    "",
    ...body.paragraphs.flatMap((paragraph) => [paragraph, ""]),
    ...body.lines.map((line) =>
      line.label === undefined
        ? `    ${line.text}`
        : `${line.label}${message(language, "sep.label")}${line.text}`,
    ),
    ...(body.lines.length > 0 ? [""] : []),
    ...(body.note === undefined
      ? []
      : [
          `${message(language, "label.about")}${message(language, "sep.label").trimEnd()}`,
          body.note,
          "",
        ]),
    ...(body.answers === undefined
      ? []
      : [
          message(language, "rsvp.prompt"),
          ...body.answers.map((link) => `  ${link.label}: ${link.href}`),
          "",
        ]),
    ...(withCalendar ? [message(language, "calendar.attached"), ""] : []),
    message(language, "signature"),
    "",
    "--",
    message(language, "footer", { represents: representingIn(contact, language) }),
  ].join("\n");
}

function html(body: Body, contact: Contact, withCalendar: boolean): string {
  const language = contact.language;
  const e = escapeHtml;
  const direction = language === "ar" ? "rtl" : "ltr";
  const rows = body.lines
    .map((line) => {
      const value =
        line.href === undefined ? e(line.text) : `<a href="${e(line.href)}">${e(line.text)}</a>`;
      return `<tr><th scope="row" style="text-align:start;padding-inline-end:1em;vertical-align:top">${e(line.label ?? "")}</th><td>${value}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="${language}" dir="${direction}">
<head><meta charset="utf-8"><title>${e(body.subject)}</title></head>
<body style="font-family:sans-serif;line-height:1.5">
<p>${e(message(language, "greeting", { name: contact.name }))}</p>
${body.paragraphs.map((paragraph) => `<p>${e(paragraph)}</p>`).join("\n")}
${rows === "" ? "" : `<table>\n${rows}\n</table>`}
${body.note === undefined ? "" : `<h2 style="font-size:1em">${e(message(language, "label.about"))}</h2>\n<p style="white-space:pre-line">${e(body.note)}</p>`}
${body.answers === undefined ? "" : `<p>${e(message(language, "rsvp.prompt"))}</p>\n<p>${body.answers.map((link) => `<a href="${e(link.href)}" style="display:inline-block;padding:0.5em 1em;margin:0.25em;border:1px solid #1a4d80;border-radius:4px;color:#1a4d80;text-decoration:none">${e(link.label)}</a>`).join("\n")}</p>`}
${withCalendar ? `<p>${e(message(language, "calendar.attached"))}</p>` : ""}
<p>${e(message(language, "signature"))}</p>
<hr><p style="font-size:smaller;color:#555">${e(message(language, "footer", { represents: representingIn(contact, language) }))}</p>
</body>
</html>
`;
}

/** The email of one notice for one contact, in the contact's language and time zone. */
export function composeNotice(
  definition: NoticeDefinition,
  contact: Contact,
  sender: Sender,
  rsvp?: RsvpLinks,
  /** The sender passes one that builds the calendar once per notice (see calendar-template). */
  calendarOf: typeof meetingCalendar = meetingCalendar,
): OutgoingEmail {
  const meeting = definition.meeting;
  const body =
    meeting === undefined
      ? chairBody(definition, contact)
      : meetingBody(definition, meeting, contact);
  const answerable =
    definition.kind === "invitation" ||
    definition.kind === "update" ||
    definition.kind === "reminder";
  if (meeting !== undefined && rsvp !== undefined && answerable) {
    body.answers = answerLinks(meeting, contact, rsvp);
  }
  const method: "REQUEST" | "CANCEL" | undefined =
    definition.kind === "invitation" || definition.kind === "update"
      ? "REQUEST"
      : definition.kind === "cancellation"
        ? "CANCEL"
        : undefined;
  const calendar =
    meeting === undefined || method === undefined
      ? undefined
      : {
          method,
          content: calendarOf(
            meeting,
            method,
            { name: contact.name, email: contact.email },
            { name: sender.name, email: sender.organizer ?? sender.address },
            venueText(meeting, "en"),
          ),
        };
  return {
    to: { name: contact.name, address: contact.email },
    subject: body.subject,
    text: text(body, contact, calendar !== undefined),
    html: html(body, contact, calendar !== undefined),
    language: contact.language,
    ...(calendar === undefined ? {} : { calendar }),
    tags: {
      notice: definition.noticeId,
      subject: definition.subjectKey,
      contact: contact.contactId,
    },
  };
}
