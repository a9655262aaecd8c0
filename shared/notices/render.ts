import type { Language } from "../contract/index.js";
import type { Contact } from "../domain/contacts.js";
import type { OutgoingEmail } from "../domain/deliver-notices.js";
import type { MeetingPlace, MeetingSnapshot, NoticeDefinition } from "../domain/notices.js";
import { RSVP_ANSWERS } from "../domain/rsvp.js";
import { signRsvpToken, signStopRemindersToken } from "../domain/rsvp-token.js";
import { instantAt, sameWallClock } from "../domain/time.js";
import { meetingCalendar } from "./calendar.js";
import {
  LOCALES,
  type MessageKey,
  type MessagePart,
  type MessageValue,
  messageParts,
} from "./messages.js";
import {
  cached,
  cityForms,
  countryName,
  memberStateForms,
  type NameForms,
  organisationForms,
  timeZoneName,
} from "./names.js";

export { countryName } from "./names.js";

/** Who sends, and where people can write back: the same for every notice. */
export interface Sender {
  name: string;
  address: string;
  /** The calendar's ORGANIZER, where calendar replies go (SES receiving); else `address`. */
  organizer?: string;
  /** The secretariat's monitored mailbox: the Reply-To, and the address the footer gives. */
  replyTo?: string;
}

/** Where the answer links point (the RSVP endpoint, ending in "/rsvp/") and the signing secret. */
export interface RsvpLinks {
  baseUrl: string;
  secret: string;
}

/** How long a stop-reminders link works after the meeting's end. */
const STOP_LINK_LIFETIME_MS = 365 * 86_400_000;

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

export const direction = (language: Language) => (language === "ar" ? "rtl" : "ltr");

/** French writes "le 1er mars", not "le 1 mars". */
function frenchFirst(text: string, language: Language): string {
  return language === "fr" ? text.replace(/(^|[^\d])1 (?=\p{Ll})/gu, "$11er ") : text;
}

function dateRange(start: Date, end: Date, timeZone: string, language: Language): string {
  const formatted = cached(
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
  return frenchFirst(formatted, language);
}

function shortDate(instant: Date, timeZone: string, language: Language): string {
  const formatted = cached(
    `date:${language}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        timeZone,
        day: "numeric",
        month: "long",
        year: "numeric",
      }),
  ).format(instant);
  return frenchFirst(formatted, language);
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

/** A piece of a line: words of the template, a value to isolate, or a link. */
type Inline = MessagePart | { value: string; href: string };

/** A fact of the meeting: a label and one or more lines (line breaks are `<br>` in HTML). */
interface Row {
  id:
    | "meeting"
    | "when"
    | "your-time"
    | "previous-when"
    | "where"
    | "previous-where"
    | "agenda"
    | "reason";
  label: string;
  lines: Inline[][];
}

/**
 * What is the same for every recipient of a notice in one language: the subject, the text and
 * the facts. Composed once per notice and language; `personalise` adds each recipient's parts.
 */
export interface CommonNotice {
  definition: NoticeDefinition;
  language: Language;
  subject: string;
  /** The kind of notice, under the Khartoum Process's name at the top. */
  heading: string;
  paragraphs: MessagePart[][];
  rows: Row[];
  note?: string;
  /** The venue as the calendar's LOCATION, in the language. */
  location?: string;
  /** The calendar's DESCRIPTION, in the language: the note, the agenda, whom to write to. */
  calendarDescription?: string;
  method?: "REQUEST" | "CANCEL";
  answerable: boolean;
}

const t = (language: Language, key: MessageKey, values?: Record<string, MessageValue>) =>
  messageParts(language, key, values);
const plain = (parts: readonly Inline[]) =>
  parts.map((part) => ("text" in part ? part.text : part.value)).join("");
const say = (language: Language, key: MessageKey, values?: Record<string, MessageValue>) =>
  plain(t(language, key, values));

export function venueText(meeting: Pick<MeetingSnapshot, "venue">, language: Language): string {
  return plain(venueParts(meeting, language));
}

/** Name, city, country: each isolated on its own, so an Arabic line keeps them in its order. */
function venueParts(meeting: Pick<MeetingSnapshot, "venue">, language: Language): Inline[] {
  const { venue } = meeting;
  const separator = say(language, "sep.list");
  return [venue.name, venue.city, countryName(venue.country, language)]
    .filter((part): part is string => part !== undefined && part !== "")
    .flatMap((value, index) => (index === 0 ? [{ value }] : [{ text: separator }, { value }]));
}

function whenLines(place: MeetingPlace, zone: string, language: Language): Inline[][] {
  const start = instantAt(place.startsAt, place.timeZone);
  const end = instantAt(place.endsAt, place.timeZone);
  return [
    [{ value: dateRange(start, end, zone, language) }],
    t(language, zone === place.timeZone ? "label.venue-time" : "label.zone", {
      zone: timeZoneName(zone, start, language),
    }),
  ];
}

function meetingRows(definition: NoticeDefinition, meeting: MeetingSnapshot, language: Language) {
  const label = (key: MessageKey) => say(language, key);
  const kind = say(language, `kind.${meeting.kind}` as MessageKey);
  const rows: Row[] = [
    {
      id: "meeting",
      label: label("label.meeting"),
      lines: [[{ value: meeting.title }, { text: ` (${kind})` }]],
    },
    {
      id: "when",
      label: label("label.when"),
      lines: whenLines(meeting, meeting.timeZone, language),
    },
  ];
  const previous = definition.kind === "update" ? meeting.previous : undefined;
  const timeChanged =
    previous !== undefined &&
    (previous.startsAt !== meeting.startsAt ||
      previous.endsAt !== meeting.endsAt ||
      previous.timeZone !== meeting.timeZone);
  const venueChanged =
    previous !== undefined && venueText(previous, "en") !== venueText(meeting, "en");
  if (previous !== undefined && timeChanged) {
    rows.push({
      id: "previous-when",
      label: label("label.previous-when"),
      lines: whenLines(previous, previous.timeZone, language),
    });
  }
  rows.push({
    id: "where",
    label: label("label.where"),
    lines: [venueParts(meeting, language)],
  });
  if (previous !== undefined && venueChanged) {
    rows.push({
      id: "previous-where",
      label: label("label.previous-where"),
      lines: [venueParts(previous, language)],
    });
  }
  if (meeting.agendaUrl !== undefined) {
    rows.push({
      id: "agenda",
      label: label("label.agenda"),
      lines: [[{ value: meeting.agendaUrl, href: meeting.agendaUrl }]],
    });
  }
  if (meeting.reason !== undefined && definition.kind !== "reminder") {
    rows.push({ id: "reason", label: label("label.reason"), lines: [[{ value: meeting.reason }]] });
  }
  const change: MessageKey | undefined =
    timeChanged && venueChanged
      ? "change.time-and-venue"
      : timeChanged
        ? "change.time"
        : venueChanged
          ? "change.venue"
          : undefined;
  return { rows, change };
}

function commonMeetingNotice(
  definition: NoticeDefinition,
  meeting: MeetingSnapshot,
  language: Language,
  sender: Sender,
): CommonNotice {
  const start = instantAt(meeting.startsAt, meeting.timeZone);
  const kind = definition.kind as "invitation" | "update" | "cancellation" | "reminder";
  // In Arabic a Latin title or city is isolated (FSI…PDI), so the subject reads in order.
  const subject = textInline(
    t(language, `subject.${kind}`, {
      title: meeting.title,
      city: meeting.venue.city,
      date: shortDate(start, meeting.timeZone, language),
    }),
    language,
  );
  const { rows, change } = meetingRows(definition, meeting, language);
  const intro =
    kind === "update" && change !== undefined
      ? t(language, "intro.update-what", { changes: say(language, change) })
      : t(language, `intro.${kind}`, {
          city: cityForms(meeting.venue.city, language),
          relative: relativeDays(start, new Date(definition.definedAt), language),
        });
  const method =
    kind === "invitation" || kind === "update"
      ? ("REQUEST" as const)
      : kind === "cancellation"
        ? ("CANCEL" as const)
        : undefined;
  const contactAddress = sender.replyTo ?? sender.address;
  const calendarDescription = [
    meeting.description,
    meeting.agendaUrl === undefined
      ? undefined
      : `${say(language, "label.agenda")}${say(language, "sep.label")}${meeting.agendaUrl}`,
    `${say(language, "signature")}${say(language, "sep.label")}${contactAddress}`,
  ]
    .filter((part) => part !== undefined)
    .join("\n\n");
  return {
    definition,
    language,
    subject,
    heading: say(language, `notice.${kind}`),
    paragraphs: [intro],
    rows,
    ...(meeting.description === undefined ? {} : { note: meeting.description }),
    location: venueText(meeting, language),
    calendarDescription,
    ...(method === undefined ? {} : { method }),
    answerable: kind !== "cancellation",
  };
}

function commonChairNotice(definition: NoticeDefinition, language: Language): CommonNotice {
  const chair = definition.chair;
  if (chair === undefined) throw new Error(`${definition.noticeId} has no Chair content`);
  const to = memberStateForms(chair.to, language);
  const from: NameForms =
    chair.from === undefined
      ? { plain: "", de: "", a: "" }
      : memberStateForms(chair.from, language);
  const base = { definition, language, rows: [], answerable: false };
  if (definition.kind === "chair-handover") {
    return {
      ...base,
      subject: say(language, "subject.chair-handover", { from, to }),
      heading: say(language, "notice.chair-handover"),
      paragraphs: [
        t(language, "chair.handover", {
          from,
          to,
          date: chair.effectiveOn === undefined ? "" : calendarDate(chair.effectiveOn, language),
        }),
        ...(chair.meetingTitle === undefined
          ? []
          : [t(language, "chair.handover-at", { meeting: chair.meetingTitle })]),
      ],
    };
  }
  return {
    ...base,
    subject: say(language, "subject.chair-designation", { to }),
    heading: say(language, "notice.chair-designation"),
    paragraphs: [
      t(language, "chair.designation", { to }),
      ...(chair.takesOfficeOn === undefined
        ? []
        : [
            t(language, "chair.takes-office", {
              to,
              date: calendarDate(chair.takesOfficeOn, language),
            }),
          ]),
    ],
  };
}

/**
 * The part of a notice that is the same for every recipient in `language`: compose it once per
 * notice and language, then `personalise` it for each recipient. Pure: the same arguments give
 * the same result.
 */
export function composeCommon(
  definition: NoticeDefinition,
  language: Language,
  sender: Sender,
): CommonNotice {
  return definition.meeting === undefined
    ? commonChairNotice(definition, language)
    : commonMeetingNotice(definition, definition.meeting, language, sender);
}

/** The recipient's own parts: their name, their time, their signed links, whom they represent. */
interface Personal {
  greeting: MessagePart[];
  yourTime?: Row;
  answers?: { label: string; href: string }[];
  stopReminders?: string;
  footer: MessagePart[];
}

function representedBy(contact: Contact, language: Language): NameForms {
  return contact.memberState !== undefined
    ? memberStateForms(contact.memberState, language)
    : organisationForms(contact.organisation ?? "", language);
}

/**
 * What personalising needs of the meeting's times, per common part: the meeting's end, and the
 * recipient's own time by time zone (the same for everyone in that zone, and the costly part:
 * time zone arithmetic and formatting). Kept as long as the common part is.
 */
const meetingTimes = new WeakMap<
  CommonNotice,
  { start: Date; end: Date; ownTime: Map<string, Row | undefined> }
>();

function timesOf(common: CommonNotice, meeting: MeetingSnapshot) {
  let times = meetingTimes.get(common);
  if (times === undefined) {
    times = {
      start: instantAt(meeting.startsAt, meeting.timeZone),
      end: instantAt(meeting.endsAt, meeting.timeZone),
      ownTime: new Map(),
    };
    meetingTimes.set(common, times);
  }
  return times;
}

/** The recipient's own time, when their clock shows the meeting at another time than the venue's. */
function ownTime(common: CommonNotice, meeting: MeetingSnapshot, zone: string): Row | undefined {
  const times = timesOf(common, meeting);
  if (times.ownTime.has(zone)) return times.ownTime.get(zone);
  const row =
    sameWallClock(times.start, meeting.timeZone, zone) &&
    sameWallClock(times.end, meeting.timeZone, zone)
      ? undefined
      : {
          id: "your-time" as const,
          label: say(common.language, "label.your-time"),
          lines: whenLines(meeting, zone, common.language),
        };
  times.ownTime.set(zone, row);
  return row;
}

function personalParts(common: CommonNotice, contact: Contact, rsvp?: RsvpLinks): Personal {
  const { language, definition } = common;
  const meeting = definition.meeting;
  const personal: Personal = {
    greeting: t(language, "greeting", { name: contact.name }),
    footer: t(language, "footer", { represents: representedBy(contact, language) }),
  };
  if (meeting === undefined) return personal;
  const { end } = timesOf(common, meeting);
  const yourTime = ownTime(common, meeting, contact.timeZone);
  if (yourTime !== undefined) personal.yourTime = yourTime;
  if (rsvp !== undefined && common.answerable) {
    // A link answers until the meeting ends.
    personal.answers = RSVP_ANSWERS.map((answer) => ({
      label: say(language, `rsvp.${answer}`),
      href: `${rsvp.baseUrl}${signRsvpToken(
        { meetingId: meeting.meetingId, contactId: contact.contactId, answer, expiresAt: end },
        rsvp.secret,
      )}`,
    }));
  }
  if (rsvp !== undefined && definition.kind === "reminder") {
    personal.stopReminders = `${rsvp.baseUrl}${signStopRemindersToken(
      { contactId: contact.contactId, expiresAt: new Date(end.getTime() + STOP_LINK_LIFETIME_MS) },
      rsvp.secret,
    )}`;
  }
  return personal;
}

/** The rows with the recipient's own time after the venue's. */
function allRows(common: CommonNotice, personal: Personal): Row[] {
  if (personal.yourTime === undefined) return common.rows;
  const at = common.rows.findIndex((row) => row.id === "when") + 1;
  return [...common.rows.slice(0, at), personal.yourTime, ...common.rows.slice(at)];
}

/** First Strong Isolate … Pop Directional Isolate: a value keeps its own direction in the text. */
const FSI = "\u2068";
const PDI = "\u2069";

function textInline(parts: readonly Inline[], language: Language): string {
  return parts
    .map((part) => {
      if ("text" in part) return part.text;
      return language === "ar" ? `${FSI}${part.value}${PDI}` : part.value;
    })
    .join("");
}

function text(common: CommonNotice, personal: Personal, sender: Sender): string {
  const { language } = common;
  const line = (parts: readonly Inline[]) => textInline(parts, language);
  const label = say(language, "sep.label");
  const rows = allRows(common, personal).flatMap((row) =>
    row.lines.map((parts, index) =>
      index === 0 ? `${row.label}${label}${line(parts)}` : `    ${line(parts)}`,
    ),
  );
  return [
    `${say(language, "brand")} | ${common.heading}`,
    "",
    line(personal.greeting),
    "",
    ...common.paragraphs.flatMap((paragraph) => [line(paragraph), ""]),
    ...rows,
    ...(rows.length > 0 ? [""] : []),
    ...(common.note === undefined
      ? []
      : [`${say(language, "label.about")}${label.trimEnd()}`, line([{ value: common.note }]), ""]),
    ...(personal.answers === undefined
      ? []
      : [
          say(language, "rsvp.prompt"),
          ...personal.answers.map((link) => `  ${link.label}${label}${link.href}`),
          "",
        ]),
    ...(common.method !== undefined ? [say(language, "calendar.attached"), ""] : []),
    say(language, "signature"),
    "",
    "--",
    line(personal.footer),
    line(t(language, "footer.reply", { address: sender.replyTo ?? sender.address })),
    ...(personal.stopReminders === undefined
      ? []
      : [
          `${say(language, "reminders.stop-prompt")} ${say(language, "reminders.stop")}${label}${personal.stopReminders}`,
        ]),
    say(language, "footer.automatic"),
  ].join("\n");
}

const FONT = "font-family:Arial,Helvetica,sans-serif";
const BLUE = "#1a4d80";

/** Values are isolated with <bdi> (a Latin title inside Arabic keeps its order); links are links. */
function htmlInline(parts: readonly Inline[]): string {
  const e = escapeHtml;
  return parts
    .map((part) => {
      if ("text" in part) return e(part.text);
      if ("href" in part)
        return `<a href="${e(part.href)}" style="color:${BLUE}"><bdi>${e(part.value)}</bdi></a>`;
      return `<bdi>${e(part.value)}</bdi>`;
    })
    .join("");
}

/** A multi-line text of the secretariat's: each line break is a <br> (no CSS pre-line). */
function htmlLines(value: string): string {
  return value
    .split("\n")
    .map((line) => escapeHtml(line))
    .join("<br>");
}

/**
 * HTML that Outlook's Word engine and Gmail render alike: tables for layout, inline styles
 * (a button's padding is on its link, and for Outlook, which ignores it there, on its cell),
 * physical alignment (no logical CSS), language and direction on every element that holds
 * content, a 600 px column that takes the whole width of a phone.
 */
function html(common: CommonNotice, personal: Personal, sender: Sender): string {
  const { language } = common;
  const e = escapeHtml;
  const dir = direction(language);
  const align = dir === "rtl" ? "right" : "left";
  const langDir = `lang="${language}" dir="${dir}"`;
  const p = (content: string) => `<p style="margin:0 0 16px">${content}</p>`;
  const rows = allRows(common, personal)
    .map(
      (row) =>
        `<tr><th scope="row" align="${align}" valign="top" width="30%" style="padding:${dir === "rtl" ? "8px 0 8px 12px" : "8px 12px 8px 0"};border-top:1px solid #e5e7eb;text-align:${align};vertical-align:top;font-weight:bold">${e(row.label)}</th><td align="${align}" valign="top" style="padding:8px 0;border-top:1px solid #e5e7eb;text-align:${align};vertical-align:top;word-break:break-word;overflow-wrap:anywhere">${row.lines.map((parts) => htmlInline(parts)).join("<br>")}</td></tr>`,
    )
    .join("\n");
  const buttons = (personal.answers ?? [])
    .map(
      (link) =>
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px"><tr><td bgcolor="${BLUE}" style="background:${BLUE};border-radius:4px;mso-padding-alt:10px 20px"><a href="${e(link.href)}" style="display:inline-block;padding:10px 20px;${FONT};font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none">${e(link.label)}</a></td></tr></table>`,
    )
    .join("\n");
  const reply = sender.replyTo ?? sender.address;
  return `<!doctype html>
<html ${langDir}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(common.subject)}</title></head>
<body style="margin:0;padding:0;background:#eef1f4">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#eef1f4"><tr><td align="center" style="padding:16px 8px">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d3d9e0">
<tr><td ${langDir} align="${align}" bgcolor="${BLUE}" style="background:${BLUE};padding:16px 24px;${FONT};color:#ffffff;text-align:${align}"><div style="font-size:20px;font-weight:bold">${e(say(language, "brand"))}</div><div style="font-size:15px">${e(common.heading)}</div></td></tr>
<tr><td ${langDir} align="${align}" style="padding:24px;${FONT};font-size:16px;line-height:1.5;color:#1f2933;text-align:${align}">
${p(htmlInline(personal.greeting))}
${common.paragraphs.map((paragraph) => p(htmlInline(paragraph))).join("\n")}
${rows === "" ? "" : `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;border-collapse:collapse;${FONT};font-size:16px;line-height:1.5;color:#1f2933">\n${rows}\n</table>`}
${common.note === undefined ? "" : `<h2 style="margin:0 0 8px;font-size:16px">${e(say(language, "label.about"))}</h2>\n${p(`<bdi>${htmlLines(common.note)}</bdi>`)}`}
${personal.answers === undefined ? "" : `${p(e(say(language, "rsvp.prompt")))}\n${buttons}\n<div style="height:8px;line-height:8px">&nbsp;</div>`}
${common.method === undefined ? "" : p(e(say(language, "calendar.attached")))}
<p style="margin:0">${e(say(language, "signature"))}</p>
</td></tr>
<tr><td ${langDir} align="${align}" bgcolor="#f6f7f9" style="background:#f6f7f9;border-top:1px solid #d3d9e0;padding:16px 24px;${FONT};font-size:13px;line-height:1.5;color:#4b5563;text-align:${align}">
<p style="margin:0 0 8px">${htmlInline(personal.footer)}</p>
<p style="margin:0 0 8px">${htmlInline(t(language, "footer.reply", { address: reply }))}</p>
${personal.stopReminders === undefined ? "" : `<p style="margin:0 0 8px">${e(say(language, "reminders.stop-prompt"))} <a href="${e(personal.stopReminders)}" style="color:${BLUE}">${e(say(language, "reminders.stop"))}</a></p>`}
<p style="margin:0">${e(say(language, "footer.automatic"))}</p>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table>
</body>
</html>
`;
}

/** The email of one notice for one recipient, from its common part. Pure. */
export function personalise(
  common: CommonNotice,
  contact: Contact,
  sender: Sender,
  rsvp?: RsvpLinks,
  /** The sender passes one that builds the calendar once per notice (see calendar-template). */
  calendarOf: typeof meetingCalendar = meetingCalendar,
): OutgoingEmail {
  const { definition } = common;
  const personal = personalParts(common, contact, rsvp);
  const meeting = definition.meeting;
  const calendar =
    meeting === undefined || common.method === undefined
      ? undefined
      : {
          method: common.method,
          content: calendarOf(
            meeting,
            common.method,
            { name: contact.name, email: contact.email },
            { name: sender.name, email: sender.organizer ?? sender.address },
            common.location ?? venueText(meeting, common.language),
            {
              ...(common.calendarDescription === undefined
                ? {}
                : { description: common.calendarDescription }),
              stampedAt: new Date(definition.definedAt),
            },
          ),
        };
  return {
    to: { name: contact.name, address: contact.email },
    subject: common.subject,
    text: text(common, personal, sender),
    html: html(common, personal, sender),
    language: common.language,
    ...(calendar === undefined ? {} : { calendar }),
    ...(personal.stopReminders === undefined ? {} : { unsubscribe: personal.stopReminders }),
    tags: {
      notice: definition.noticeId,
      subject: definition.subjectKey,
      contact: contact.contactId,
    },
  };
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
  return personalise(
    composeCommon(definition, contact.language, sender),
    contact,
    sender,
    rsvp,
    calendarOf,
  );
}
