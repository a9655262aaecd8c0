import type { Language } from "../contract/index.js";
import { LANGUAGES } from "../contract/index.js";
import type { LinkOutcome } from "../domain/rsvp-link.js";
import { message } from "./messages.js";
import { escapeHtml as e } from "./render.js";

export interface PageResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  // The page holds a one-click answer: never cached, indexed or leaked through a referrer.
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function page(language: Language, title: string, content: string): string {
  const direction = language === "ar" ? "rtl" : "ltr";
  return `<!doctype html>
<html lang="${language}" dir="${direction}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title></head>
<body style="font-family:sans-serif;line-height:1.5;max-width:36em;margin:2em auto;padding:0 1em">
<main lang="${language}" dir="${direction}">
<p style="font-weight:bold">${e(message(language, "brand"))}</p>
${content}
</main>
</body>
</html>
`;
}

/** The page of a link's outcome, in the member's language (all three when it is not known). */
export function rsvpPage(outcome: LinkOutcome): PageResponse {
  switch (outcome.page) {
    case "confirm": {
      const t = (key: Parameters<typeof message>[1], values?: Record<string, string>) =>
        message(outcome.language, key, values);
      return {
        statusCode: 200,
        headers: HEADERS,
        body: page(
          outcome.language,
          t("rsvp.page-title"),
          `<h1 style="font-size:1.3em">${e(t("rsvp.page-title"))}</h1>
<p>${e(t("rsvp.page-question", { title: outcome.title }))}</p>
<form method="post"><button type="submit" name="answer" value="${outcome.answer}" style="font-size:1.1em;padding:0.5em 1.2em">${e(t("rsvp.confirm"))}: ${e(t(`rsvp.${outcome.answer}`))}</button></form>`,
        ),
      };
    }
    case "recorded": {
      const t = (key: Parameters<typeof message>[1], values?: Record<string, string>) =>
        message(outcome.language, key, values);
      return {
        statusCode: 200,
        headers: HEADERS,
        body: page(
          outcome.language,
          t("rsvp.page-title"),
          `<h1 style="font-size:1.3em">${e(outcome.title)}</h1>
<p>${e(t("rsvp.recorded", { answer: t(`rsvp.${outcome.answer}`) }))}</p>
<p>${e(t("rsvp.change"))}</p>`,
        ),
      };
    }
    case "confirm-stop": {
      const t = (key: Parameters<typeof message>[1]) => message(outcome.language, key);
      return {
        statusCode: 200,
        headers: HEADERS,
        body: page(
          outcome.language,
          t("reminders.stop"),
          `<h1 style="font-size:1.3em">${e(t("reminders.stop"))}</h1>
<p>${e(t("reminders.page-question"))}</p>
<form method="post"><button type="submit" style="font-size:1.1em;padding:0.5em 1.2em">${e(t("reminders.stop"))}</button></form>`,
        ),
      };
    }
    case "stopped":
    case "reminders-off": {
      const t = (key: Parameters<typeof message>[1]) => message(outcome.language, key);
      return {
        statusCode: 200,
        headers: HEADERS,
        body: page(
          outcome.language,
          t("reminders.stop"),
          `<p>${e(t(outcome.page === "stopped" ? "reminders.stopped" : "reminders.off"))}</p>
<p>${e(t("reminders.resume-prompt"))}</p>
<form method="post"><input type="hidden" name="action" value="resume"><button type="submit" style="font-size:1.1em;padding:0.5em 1.2em">${e(t("reminders.resume"))}</button></form>`,
        ),
      };
    }
    case "resumed":
    case "resume-refused":
      return {
        statusCode: outcome.page === "resumed" ? 200 : 409,
        headers: HEADERS,
        body: page(
          outcome.language,
          message(outcome.language, "reminders.resume"),
          `<p>${e(message(outcome.language, outcome.page === "resumed" ? "reminders.resumed" : "reminders.secretariat-off"))}</p>`,
        ),
      };
    case "stop-closed":
      return {
        statusCode: 410,
        headers: HEADERS,
        body: page(
          outcome.language,
          message(outcome.language, "reminders.stop"),
          `<p>${e(message(outcome.language, "reminders.unknown"))}</p>`,
        ),
      };
    case "closed":
      return {
        statusCode: 410,
        headers: HEADERS,
        body: page(
          outcome.language,
          message(outcome.language, "rsvp.page-title"),
          `<p>${e(message(outcome.language, "rsvp.unknown"))}</p>`,
        ),
      };
    case "invalid":
      return {
        statusCode: 400,
        headers: HEADERS,
        body: page(
          "en",
          message("en", "rsvp.page-title"),
          LANGUAGES.map(
            (language) =>
              `<p lang="${language}" dir="${language === "ar" ? "rtl" : "ltr"}">${e(message(language, "rsvp.invalid"))}</p>`,
          ).join("\n"),
        ),
      };
  }
}
