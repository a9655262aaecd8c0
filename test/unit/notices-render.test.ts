import type { Element, Node } from "domhandler";
import { parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../../shared/contract/index.js";
import type { Contact } from "../../shared/domain/contacts.js";
import type { MeetingSnapshot, NoticeDefinition } from "../../shared/domain/notices.js";
import { MESSAGES, message } from "../../shared/notices/messages.js";
import {
  composeNotice,
  countryName,
  escapeHtml,
  type Sender,
  venueText,
} from "../../shared/notices/render.js";

const texts = MESSAGES as Record<Language, Record<string, string>>;

/** The names of a text's placeholders; "{to.de}" is a form of {to} (see MessageValue). */
function placeholders(text: string): string[] {
  return [
    ...new Set([...text.matchAll(/\{(\w+)(?:\.\w+)?\}/g)].map((match) => match[1] ?? "")),
  ].sort();
}

const languagePairs = LANGUAGES.flatMap((language) =>
  LANGUAGES.filter((other) => other !== language).map((other) => ({ language, other })),
);

const sender: Sender = { name: "Khartoum Process Secretariat", address: "secretariat@example.org" };

function contact(language: Language, timeZone: string, fields: Partial<Contact> = {}): Contact {
  return {
    contactId: "ke-focal-point-1",
    name: "Amina Wanjiru",
    email: "amina.wanjiru@example.ke",
    memberState: "KE",
    roles: ["focal-point"],
    language,
    timeZone,
    reminders: true,
    updatedAt: "2023-01-01T00:00:00Z",
    ...fields,
  };
}

const som9: MeetingSnapshot = {
  meetingId: "som-9-berlin-2023",
  kind: "senior-officials-meeting",
  title: "9th Senior Officials' Meeting",
  startsAt: "2023-03-16T09:00",
  endsAt: "2023-03-16T17:30",
  timeZone: "Europe/Berlin",
  venue: { city: "Berlin", country: "DE", name: "Federal Foreign Office" },
  description: "Chairmanship handover from South Sudan to Germany.",
  agendaUrl: "https://example.org/agenda.pdf",
  sequence: 0,
};

function meetingNotice(
  kind: "invitation" | "update" | "cancellation" | "reminder",
  meeting: MeetingSnapshot = som9,
  fields: Partial<NoticeDefinition> = {},
): NoticeDefinition {
  return {
    subjectKey: `MEETING#${meeting.meetingId}`,
    noticeId: `${kind}-v${meeting.sequence}`,
    kind,
    definedAt: "2023-02-01T10:00:00.000Z",
    recipientCount: 1,
    meeting,
    ...fields,
  };
}

const handover: NoticeDefinition = {
  subjectKey: "CHAIR",
  noticeId: "handover-2023-03-16",
  kind: "chair-handover",
  definedAt: "2023-03-16T10:00:00.000Z",
  recipientCount: 1,
  chair: {
    from: "SS",
    to: "DE",
    effectiveOn: "2023-03-16",
    meetingTitle: "9th Senior Officials' Meeting",
  },
};

const designation: NoticeDefinition = {
  subjectKey: "CHAIR",
  noticeId: "designation-ke",
  kind: "chair-designation",
  definedAt: "2023-06-01T10:00:00.000Z",
  recipientCount: 1,
  chair: { to: "KE", takesOfficeOn: "2024-03-01" },
};

/** Every element named `name` under `root`, in document order. */
function elements(root: Node, name: string): Element[] {
  const found: Element[] = [];
  const visit = (node: Node) => {
    if ("name" in node && (node as Element).name === name) found.push(node as Element);
    for (const child of (node as Element).children ?? []) visit(child);
  };
  visit(root);
  return found;
}

/** The text of a node and its descendants. */
function textOf(node: Node): string {
  if (node.type === "text") return (node as unknown as { data: string }).data;
  return ((node as Element).children ?? []).map(textOf).join("");
}

/** Dash between two times, whatever spacing the locale puts around it. */
const range = (from: string, to: string) => new RegExp(`${from}\\s*[–-]\\s*${to}`);

describe("MESSAGES", () => {
  it.each(languagePairs)("has in $language every text that $other has", ({ language, other }) => {
    // Prepare
    const own = new Set(Object.keys(texts[language]));

    // Act
    const missing = Object.keys(texts[other]).filter((key) => !own.has(key));

    // Assess
    expect(missing).toEqual([]);
  });

  it.each(LANGUAGES.filter((language) => language !== "en"))(
    "uses in %s every placeholder of the English text of the same key",
    (language) => {
      // Prepare
      const wrong: string[] = [];

      // Act
      for (const [key, english] of Object.entries(texts.en)) {
        const translated = texts[language][key] ?? "";
        for (const name of placeholders(english)) {
          if (!placeholders(translated).includes(name)) wrong.push(`${key}: {${name}}`);
        }
      }

      // Assess
      expect(wrong).toEqual([]);
    },
  );

  it.each(LANGUAGES.filter((language) => language !== "en"))(
    "uses in %s no placeholder the English text lacks (no value would fill it)",
    (language) => {
      // Prepare
      const wrong: string[] = [];

      // Act
      for (const [key, translated] of Object.entries(texts[language])) {
        const english = placeholders(texts.en[key] ?? "");
        for (const name of placeholders(translated)) {
          if (!english.includes(name)) wrong.push(`${key}: {${name}}`);
        }
      }

      // Assess
      expect(wrong).toEqual([]);
    },
  );
});

describe("message", () => {
  it("fills every placeholder with its value", () => {
    // Act
    const text = message("fr", "chair.takes-office", { to: "Kenya", date: "1 mars 2024" });

    // Assess
    expect(text).toBe("La présidence Kenya commence le 1 mars 2024.");
  });

  it("leaves a placeholder without a value visible rather than empty", () => {
    // Act
    const text = message("en", "greeting");

    // Assess
    expect(text).toBe("Dear {name},");
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters that matter in HTML text and attributes", () => {
    // Act
    const escaped = escapeHtml(`<a href="x" title='y'>&</a>`);

    // Assess
    expect(escaped).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});

describe("countryName and venueText", () => {
  it("names a member state in English as the reference list does", () => {
    // Act
    const names = [countryName("SS", "en"), countryName("DE", "en")];

    // Assess
    expect(names).toEqual(["South Sudan", "Germany"]);
  });

  it("names a member state in French and Arabic in that language", () => {
    // Act
    const names = [countryName("DE", "fr"), countryName("SS", "fr"), countryName("DE", "ar")];

    // Assess
    expect(names).toEqual(["Allemagne", "Soudan du Sud", "ألمانيا"]);
  });

  it("joins venue name, city and country with the language's list separator", () => {
    // Act
    const venues = [venueText(som9, "en"), venueText(som9, "ar")];

    // Assess
    expect(venues).toEqual([
      "Federal Foreign Office, Berlin, Germany",
      "Federal Foreign Office، Berlin، ألمانيا",
    ]);
  });

  it("leaves out a venue name that is not given", () => {
    // Act
    const venue = venueText({ venue: { city: "Nairobi", country: "KE" } }, "fr");

    // Assess
    expect(venue).toBe("Nairobi, Kenya");
  });
});

describe("composeNotice for a meeting", () => {
  it.each([
    {
      language: "en" as const,
      subject: "Invitation: 9th Senior Officials' Meeting (Berlin, 16 March 2023)",
    },
    {
      language: "fr" as const,
      subject: "Invitation : 9th Senior Officials' Meeting (Berlin, 16 mars 2023)",
    },
    {
      language: "ar" as const,
      // A Latin title or city inside Arabic is isolated: FSI (U+2068) … PDI (U+2069).
      subject:
        "دعوة: \u20689th Senior Officials' Meeting\u2069 (\u2068Berlin\u2069، \u206816 مارس 2023\u2069)",
    },
  ])("names the meeting's title in the $language subject", ({ language, subject }) => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact(language, "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.subject).toBe(subject);
    expect(email.language).toBe(language);
    expect(email.to).toEqual({ name: "Amina Wanjiru", address: "amina.wanjiru@example.ke" });
  });

  it.each([
    { language: "en" as const, direction: "ltr" },
    { language: "fr" as const, direction: "ltr" },
    { language: "ar" as const, direction: "rtl" },
  ])(
    "sets lang=$language and dir=$direction on the HTML root and on every cell that holds content",
    ({ language, direction }) => {
      // Act
      const email = composeNotice(
        meetingNotice("invitation"),
        contact(language, "Europe/Berlin"),
        sender,
      );

      // Assess
      const document = parseDocument(email.html);
      expect(email.html).toContain(`<html lang="${language}" dir="${direction}">`);
      const holders = elements(document, "td").filter((cell) =>
        elements(cell, "p").some((paragraph) => paragraph.parent === cell),
      );
      expect(holders.length).toBeGreaterThanOrEqual(2);
      for (const cell of holders) {
        expect(cell.attribs).toMatchObject({ lang: language, dir: direction });
      }
    },
  );

  it("writes the text part in the contact's language", () => {
    // Act
    const email = composeNotice(meetingNotice("invitation"), contact("fr", "Europe/Paris"), sender);

    // Assess
    expect(email.text).toContain("Bonjour Amina Wanjiru,");
    expect(email.text).toContain(
      "Nous avons l'honneur de vous inviter à la réunion suivante du Processus de Khartoum, à Berlin.",
    );
    expect(email.text).toContain("Lieu : Federal Foreign Office, Berlin, Allemagne");
    expect(email.text).toContain("Ordre du jour : https://example.org/agenda.pdf");
    expect(email.text).toContain("Le Secrétariat du Processus de Khartoum");
  });

  it("tags the email with the notice, its subject and the contact", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("en", "Europe/Berlin"),
      sender,
    );

    // Assess
    expect(email.tags).toEqual({
      notice: "invitation-v0",
      subject: "MEETING#som-9-berlin-2023",
      contact: "ke-focal-point-1",
    });
  });

  it("escapes in the HTML every value that came from an event", () => {
    // Prepare
    const hostile: MeetingSnapshot = {
      ...som9,
      title: `<script>alert("title")</script> & 'friends'`,
      description: `<img src=x onerror="alert('description')">`,
      venue: { city: "Berlin <i>", country: "DE", name: `Haus "<b>Europa</b>"` },
      agendaUrl: `https://example.org/agenda?a=1&b="><script>alert(1)</script>`,
      reason: "<u>rain</u>",
    };
    const person = contact("en", "Africa/Nairobi", { name: `Amina <em>"W"</em>` });

    // Act
    const { html } = composeNotice(meetingNotice("update", hostile), person, sender);

    // Assess
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9!]+)/gi)].map((match) => match[1]));
    expect([...tags].sort()).toEqual(
      [
        // Outlook's conditional comments (<!--[if mso]>) hold its fixed-width column.
        "!",
        "!doctype",
        "a",
        "bdi",
        "body",
        "br",
        "div",
        "h2",
        "head",
        "html",
        "meta",
        "p",
        "table",
        "td",
        "th",
        "title",
        "tr",
      ].sort(),
    );
    expect(html).toContain(
      "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; &#39;friends&#39;",
    );
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(&#39;description&#39;)&quot;&gt;");
    expect(html).toContain("Haus &quot;&lt;b&gt;Europa&lt;/b&gt;&quot;, Berlin &lt;i&gt;, Germany");
    expect(html).toContain(
      'href="https://example.org/agenda?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
    expect(html).toContain("&lt;u&gt;rain&lt;/u&gt;");
    expect(html).toContain("Dear <bdi>Amina &lt;em&gt;&quot;W&quot;&lt;/em&gt;</bdi>,");
  });

  it("gives only the venue time when the contact's clock shows the same time", () => {
    // Act
    const email = composeNotice(meetingNotice("invitation"), contact("en", "Europe/Paris"), sender);

    // Assess
    expect(email.text).toMatch(range("09:00", "17:30"));
    expect(email.text).toContain("Local time at the venue: Central European Standard Time (UTC+1)");
    expect(email.text).not.toContain("Your time");
    expect(email.html).not.toContain("Your time");
  });

  it("adds the contact's own time when it differs from the venue's", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("en", "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.text).toContain("When: Thursday, 16 March 2023, 09:00");
    expect(email.text).toMatch(
      new RegExp(
        `Your time: Thursday, 16 March 2023, ${range("11:00", "19:30").source}\n {4}East Africa Time \\(UTC\\+3\\)`,
      ),
    );
    expect(email.html).toContain("Your time");
  });

  it("adds the contact's own time with the offset of the meeting's date, after the clocks change", () => {
    // Prepare
    const afterSpringChange = { ...som9, startsAt: "2023-03-27T09:00", endsAt: "2023-03-27T17:30" };

    // Act
    const email = composeNotice(
      meetingNotice("invitation", afterSpringChange),
      contact("en", "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.text).toMatch(new RegExp(`Your time: .*${range("10:00", "18:30").source}`));
    expect(email.text).toContain("Local time at the venue: Central European Summer Time (UTC+2)");
  });

  it("writes French dates with French month and weekday names", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("fr", "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.text).toContain("jeudi 16 mars 2023");
    expect(email.text).toMatch(new RegExp(`Votre heure : .*${range("11:00", "19:30").source}`));
    expect(email.text).toContain("heure normale d'Afrique de l'Est (UTC+3)");
  });

  it("writes Arabic dates with the Arabic month name", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("ar", "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.text).toContain("مارس");
    expect(email.text).toContain("الخميس");
    expect(email.text).not.toContain("March");
  });

  it.each([
    { kind: "invitation" as const, method: "REQUEST" },
    { kind: "update" as const, method: "REQUEST" },
    { kind: "cancellation" as const, method: "CANCEL" },
  ])("attaches a $method calendar to the $kind and says so", ({ kind, method }) => {
    // Act
    const email = composeNotice(meetingNotice(kind), contact("en", "Europe/Berlin"), sender);

    // Assess
    expect(email.calendar?.method).toBe(method);
    expect(email.calendar?.content).toContain(`METHOD:${method}`);
    expect(email.text).toContain("The calendar entry is attached (invite.ics).");
  });

  it("says in the cancellation that the meeting is cancelled", () => {
    // Act
    const email = composeNotice(
      meetingNotice("cancellation", { ...som9, sequence: 1, reason: "Postponed sine die" }),
      contact("en", "Europe/Berlin"),
      sender,
    );

    // Assess
    expect(email.subject).toBe("Cancelled: 9th Senior Officials' Meeting (Berlin, 16 March 2023)");
    expect(email.text).toContain("Reason: Postponed sine die");
    expect(email.calendar?.content).toContain("STATUS:CANCELLED");
  });

  it.each([
    { language: "en" as const, says: "begins in 14 days." },
    { language: "fr" as const, says: "commence dans 14 jours." },
  ])(
    "attaches no calendar to a reminder and says in $language how soon the meeting begins",
    ({ language, says }) => {
      // Act
      const email = composeNotice(
        meetingNotice("reminder", som9, {
          noticeId: "reminder-P14D-v0",
          reminderOffset: "P14D",
          definedAt: "2023-03-02T08:00:00.000Z",
        }),
        contact(language, "Europe/Berlin"),
        sender,
      );

      // Assess
      expect(email.calendar).toBeUndefined();
      expect(email.text).toContain(says);
      expect(email.text).not.toContain("invite.ics");
      expect(email.html).not.toContain("invite.ics");
    },
  );
});

describe("composeNotice for the Chair", () => {
  it.each([
    {
      language: "en" as const,
      subject: "Khartoum Process Chair: South Sudan hands over to Germany",
      says: "South Sudan has handed over the Chair of the Khartoum Process to Germany, as of 16 March 2023.",
      at: "The handover took place at the 9th Senior Officials' Meeting.",
    },
    {
      language: "fr" as const,
      subject: "Processus de Khartoum : la présidence passe du Soudan du Sud à l'Allemagne",
      says: "La présidence du Processus de Khartoum est passée du Soudan du Sud à l'Allemagne le 16 mars 2023.",
      at: "La passation a eu lieu lors de la réunion « 9th Senior Officials' Meeting ».",
    },
    {
      language: "ar" as const,
      subject: "عملية الخرطوم: انتقال الرئاسة من جنوب السودان إلى ألمانيا",
      says: "انتقلت رئاسة عملية الخرطوم من \u2068جنوب السودان\u2069 إلى \u2068ألمانيا\u2069 اعتبارًا من \u206816 مارس 2023\u2069.",
      at: "جرى التسليم خلال اجتماع «\u20689th Senior Officials' Meeting\u2069».",
    },
  ])(
    "names both countries and the meeting of the handover in $language",
    ({ language, subject, says, at }) => {
      // Act
      const email = composeNotice(handover, contact(language, "Africa/Nairobi"), sender);

      // Assess
      expect(email.subject).toBe(subject);
      expect(email.text).toContain(says);
      expect(email.text).toContain(at);
      expect(email.calendar).toBeUndefined();
    },
  );

  it("says nothing of a meeting when the handover names none", () => {
    // Prepare
    const withoutMeeting: NoticeDefinition = {
      ...handover,
      chair: { from: "SS", to: "DE", effectiveOn: "2023-03-16" },
    };

    // Act
    const email = composeNotice(withoutMeeting, contact("en", "Africa/Nairobi"), sender);

    // Assess
    expect(email.text).not.toContain("took place");
    expect(email.text).toContain("as of 16 March 2023.");
  });

  it.each([
    {
      language: "en" as const,
      subject: "Khartoum Process: Kenya designated as the next Chair",
      says: "Kenya takes office on 1 March 2024.",
    },
    {
      language: "fr" as const,
      subject: "Processus de Khartoum : la prochaine présidence est confiée au Kenya",
      says: "La présidence du Kenya commence le 1er mars 2024.",
    },
  ])(
    "names the designated country and when it takes office in $language",
    ({ language, subject, says }) => {
      // Act
      const email = composeNotice(designation, contact(language, "Europe/Berlin"), sender);

      // Assess
      expect(email.subject).toBe(subject);
      expect(email.text).toContain(says);
    },
  );

  it("escapes the meeting title of a handover in the HTML", () => {
    // Prepare
    const hostile: NoticeDefinition = {
      ...handover,
      chair: { from: "SS", to: "DE", effectiveOn: "2023-03-16", meetingTitle: "<b>SOM</b>" },
    };

    // Act
    const { html } = composeNotice(hostile, contact("en", "Europe/Berlin"), sender);

    // Assess
    expect(html).toContain("&lt;b&gt;SOM&lt;/b&gt;");
    expect(html).not.toContain("<b>");
  });
});

describe("composeNotice for a late reminder", () => {
  it("says the time truly left when the reminder is sent late, not its planned offset", () => {
    // Act
    const email = composeNotice(
      meetingNotice("reminder", som9, {
        noticeId: "reminder-P14D-v0",
        reminderOffset: "P14D",
        definedAt: "2023-03-13T08:00:00.000Z",
      }),
      contact("en", "Europe/Berlin"),
      sender,
    );

    // Assess
    expect(email.text).toContain("begins in 3 days.");
  });
});

describe("composeNotice footer", () => {
  it("names an organisation's contact by the organisation's full name", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("en", "Europe/Vienna", { memberState: undefined, organisation: "ICMPD" }),
      sender,
    );

    // Assess
    expect(email.text).toContain(
      "as a contact of International Centre for Migration Policy Development in the Khartoum Process.",
    );
  });
});
