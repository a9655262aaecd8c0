import type { Element, Node } from "domhandler";
import { parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../../shared/contract/index.js";
import type { Contact } from "../../shared/domain/contacts.js";
import type { MeetingSnapshot, NoticeDefinition } from "../../shared/domain/notices.js";
import { MESSAGES, message } from "../../shared/notices/messages.js";
import { timeZoneName } from "../../shared/notices/names.js";
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
    expect(html).toContain(
      "<bdi>Haus &quot;&lt;b&gt;Europa&lt;/b&gt;&quot;</bdi>, <bdi>Berlin &lt;i&gt;</bdi>, <bdi>Germany</bdi>",
    );
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

describe("the sentences of every notice kind, pinned in each language", () => {
  const mombasa: MeetingSnapshot = {
    meetingId: "thematic-legal-pathways-2026",
    kind: "thematic-meeting",
    title: "Thematic Meeting on Legal Pathways",
    startsAt: "2026-03-17T09:00",
    endsAt: "2026-03-18T17:00",
    timeZone: "Africa/Nairobi",
    venue: { city: "Mombasa", country: "KE" },
    sequence: 0,
  };
  const toCairo: MeetingSnapshot = {
    ...mombasa,
    sequence: 1,
    venue: { city: "Le Caire", country: "EG" },
    previous: { ...mombasa },
  };
  const definitions: Record<NoticeDefinition["kind"], NoticeDefinition> = {
    invitation: meetingNotice("invitation", mombasa),
    update: meetingNotice("update", toCairo),
    cancellation: meetingNotice("cancellation", { ...mombasa, sequence: 1 }),
    reminder: meetingNotice("reminder", mombasa, { definedAt: "2026-03-15T09:00:00.000Z" }),
    "chair-handover": {
      ...handover,
      chair: { from: "ET", to: "SD", effectiveOn: "2026-04-01", meetingTitle: "SOM" },
    },
    "chair-designation": { ...designation, chair: { to: "NL", takesOfficeOn: "2027-01-01" } },
  };
  const FSI = "\u2068";
  const PDI = "\u2069";
  const isolated = (value: string) => `${FSI}${value}${PDI}`;

  it.each([
    {
      kind: "invitation",
      language: "en",
      subject: "Invitation: Thematic Meeting on Legal Pathways (Mombasa, 17 March 2026)",
      sentences: ["You are invited to the following meeting of the Khartoum Process in Mombasa."],
    },
    {
      kind: "invitation",
      language: "fr",
      subject: "Invitation : Thematic Meeting on Legal Pathways (Mombasa, 17 mars 2026)",
      sentences: [
        "Nous avons l'honneur de vous inviter à la réunion suivante du Processus de Khartoum, à Mombasa.",
      ],
    },
    {
      kind: "invitation",
      language: "ar",
      subject: `دعوة: ${isolated("Thematic Meeting on Legal Pathways")} (${isolated("Mombasa")}، ${isolated("17 مارس 2026")})`,
      sentences: [`يسرّنا دعوتكم إلى الاجتماع التالي لعملية الخرطوم في ${isolated("Mombasa")}.`],
    },
    {
      kind: "update",
      language: "en",
      subject: "Changed: Thematic Meeting on Legal Pathways (Le Caire, 17 March 2026)",
      sentences: [
        "The following meeting of the Khartoum Process has a new venue; the attached calendar entry replaces the earlier one.",
      ],
    },
    {
      kind: "update",
      language: "fr",
      subject: "Modification : Thematic Meeting on Legal Pathways (Le Caire, 17 mars 2026)",
      sentences: [
        "La réunion suivante du Processus de Khartoum change de lieu ; l'entrée d'agenda jointe remplace la précédente.",
      ],
    },
    {
      kind: "update",
      language: "ar",
      subject: `تعديل: ${isolated("Thematic Meeting on Legal Pathways")} (${isolated("Le Caire")}، ${isolated("17 مارس 2026")})`,
      sentences: [
        `تغيّر ${isolated("مكان")} الاجتماع التالي لعملية الخرطوم؛ يحلّ موعد التقويم المرفق محلّ الموعد السابق.`,
      ],
    },
    {
      kind: "cancellation",
      language: "en",
      subject: "Cancelled: Thematic Meeting on Legal Pathways (Mombasa, 17 March 2026)",
      sentences: [
        "The following meeting of the Khartoum Process in Mombasa is cancelled; the attached calendar update removes it from your calendar.",
      ],
    },
    {
      kind: "cancellation",
      language: "fr",
      subject: "Annulation : Thematic Meeting on Legal Pathways (Mombasa, 17 mars 2026)",
      sentences: [
        "La réunion suivante du Processus de Khartoum, prévue à Mombasa, est annulée ; la mise à jour jointe la retire de votre agenda.",
      ],
    },
    {
      kind: "cancellation",
      language: "ar",
      subject: `إلغاء: ${isolated("Thematic Meeting on Legal Pathways")} (${isolated("Mombasa")}، ${isolated("17 مارس 2026")})`,
      sentences: [
        `أُلغي الاجتماع التالي لعملية الخرطوم الذي كان مقررًا في ${isolated("Mombasa")}؛ يزيل التحديث المرفق الموعد من تقويمكم.`,
      ],
    },
    {
      kind: "reminder",
      language: "en",
      subject: "Reminder: Thematic Meeting on Legal Pathways (Mombasa, 17 March 2026)",
      sentences: [
        "A reminder: the following meeting of the Khartoum Process in Mombasa begins in 2 days.",
      ],
    },
    {
      kind: "reminder",
      language: "fr",
      subject: "Rappel : Thematic Meeting on Legal Pathways (Mombasa, 17 mars 2026)",
      sentences: [
        "Rappel : la réunion suivante du Processus de Khartoum, à Mombasa, commence après-demain.",
      ],
    },
    {
      kind: "reminder",
      language: "ar",
      subject: `تذكير: ${isolated("Thematic Meeting on Legal Pathways")} (${isolated("Mombasa")}، ${isolated("17 مارس 2026")})`,
      sentences: [
        `تذكير: يبدأ الاجتماع التالي لعملية الخرطوم في ${isolated("Mombasa")} ${isolated("بعد الغد")}.`,
      ],
    },
    {
      kind: "chair-handover",
      language: "en",
      subject: "Khartoum Process Chair: Ethiopia hands over to Sudan",
      sentences: [
        "Ethiopia has handed over the Chair of the Khartoum Process to Sudan, as of 1 April 2026.",
        "The handover took place at the SOM.",
      ],
    },
    {
      kind: "chair-handover",
      language: "fr",
      subject: "Processus de Khartoum : la présidence passe de l'Éthiopie au Soudan",
      sentences: [
        "La présidence du Processus de Khartoum est passée de l'Éthiopie au Soudan le 1er avril 2026.",
        "La passation a eu lieu lors de la réunion « SOM ».",
      ],
    },
    {
      kind: "chair-handover",
      language: "ar",
      subject: "عملية الخرطوم: انتقال الرئاسة من إثيوبيا إلى السودان",
      sentences: [
        `انتقلت رئاسة عملية الخرطوم من ${isolated("إثيوبيا")} إلى ${isolated("السودان")} اعتبارًا من ${isolated("1 أبريل 2026")}.`,
        `جرى التسليم خلال اجتماع «${isolated("SOM")}».`,
      ],
    },
    {
      kind: "chair-designation",
      language: "en",
      subject: "Khartoum Process: The Netherlands designated as the next Chair",
      sentences: [
        "The Netherlands has been designated as the next Chair of the Khartoum Process.",
        "The Netherlands takes office on 1 January 2027.",
      ],
    },
    {
      kind: "chair-designation",
      language: "fr",
      subject: "Processus de Khartoum : la prochaine présidence est confiée aux Pays-Bas",
      sentences: [
        "La prochaine présidence du Processus de Khartoum a été confiée aux Pays-Bas.",
        "La présidence des Pays-Bas commence le 1er janvier 2027.",
      ],
    },
    {
      kind: "chair-designation",
      language: "ar",
      subject: "عملية الخرطوم: إسناد الرئاسة القادمة إلى هولندا",
      sentences: [
        `أُسندت الرئاسة القادمة لعملية الخرطوم إلى ${isolated("هولندا")}.`,
        `تبدأ رئاسة ${isolated("هولندا")} في ${isolated("1 يناير 2027")}.`,
      ],
    },
  ] as const)(
    "says the $kind in $language in these words",
    ({ kind, language, subject, sentences }) => {
      // Act
      const email = composeNotice(definitions[kind], contact(language, "Africa/Nairobi"), sender);

      // Assess
      expect(email.subject).toBe(subject);
      const paragraphs = email.text.split("\n\n").slice(2, 2 + sentences.length);
      expect(paragraphs).toEqual([...sentences]);
    },
  );

  it.each([
    {
      represents: { memberState: "ET" },
      fr: "contact de l'Éthiopie",
      ar: "تمثّل \u2068إثيوبيا\u2069",
    },
    { represents: { memberState: "SD" }, fr: "contact du Soudan", ar: "تمثّل \u2068السودان\u2069" },
    {
      represents: { memberState: "NL" },
      fr: "contact des Pays-Bas",
      ar: "تمثّل \u2068هولندا\u2069",
    },
    { represents: { memberState: "DJ" }, fr: "contact de Djibouti", ar: "تمثّل \u2068جيبوتي\u2069" },
    {
      represents: { memberState: "HU" },
      fr: "contact de la Hongrie",
      ar: "تمثّل \u2068هنغاريا\u2069",
    },
    {
      represents: { memberState: undefined, organisation: "IOM" },
      fr: "contact de l'Organisation internationale pour les migrations",
      ar: "تمثّل \u2068المنظمة الدولية للهجرة\u2069",
    },
    {
      represents: { memberState: undefined, organisation: "UNHCR" },
      fr: "contact du Haut-Commissariat des Nations unies pour les réfugiés",
      ar: "تمثّل \u2068مفوضية الأمم المتحدة السامية لشؤون اللاجئين\u2069",
    },
  ])("says in the footer whom the contact represents: $fr", ({ represents, fr, ar }) => {
    // Act
    const french = composeNotice(designation, contact("fr", "UTC", represents), sender);
    const arabic = composeNotice(designation, contact("ar", "UTC", represents), sender);

    // Assess
    expect(french.text).toContain(`Vous recevez cet avis en tant que ${fr} au sein du Processus`);
    expect(arabic.text).toContain(`بصفتكم جهة اتصال ${ar} في عملية الخرطوم.`);
  });

  it.each([
    { city: "Le Caire", says: "du Processus de Khartoum, au Caire." },
    { city: "Les Sables-d'Olonne", says: "du Processus de Khartoum, aux Sables-d'Olonne." },
    { city: "La Valette", says: "du Processus de Khartoum, à La Valette." },
    { city: "Addis-Abeba", says: "du Processus de Khartoum, à Addis-Abeba." },
  ])("joins à and the article of $city in French", ({ city, says }) => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation", { ...mombasa, venue: { city, country: "EG" } }),
      contact("fr", "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.text).toContain(says);
  });
});

describe("the HTML that Outlook and Gmail render alike", () => {
  const kinds = ["invitation", "update", "cancellation", "reminder"] as const;
  const withPrevious: MeetingSnapshot = {
    ...som9,
    sequence: 1,
    description: "Day 1: arrival.\nDay 2: sessions.",
    previous: {
      startsAt: "2023-03-15T09:00",
      endsAt: "2023-03-15T17:30",
      timeZone: "Africa/Casablanca",
      venue: { city: "Rabat", country: "MA" },
    },
  };
  const links = { baseUrl: "https://rsvp.example.org/rsvp/", secret: "s" };
  const all = [
    ...kinds.flatMap((kind) =>
      LANGUAGES.map((language) => ({
        name: `${kind} in ${language}`,
        email: composeNotice(
          meetingNotice(kind, withPrevious),
          contact(language, "Africa/Nairobi"),
          { ...sender, replyTo: "secretariat@example.org" },
          links,
        ),
      })),
    ),
    ...LANGUAGES.flatMap((language) => [
      {
        name: `handover in ${language}`,
        email: composeNotice(handover, contact(language, "UTC"), sender),
      },
      {
        name: `designation in ${language}`,
        email: composeNotice(designation, contact(language, "UTC"), sender),
      },
    ]),
  ];

  it.each(all)("uses no CSS that Outlook's Word engine ignores, in the $name", ({ email }) => {
    // Assess
    expect(email.html).not.toMatch(/white-space\s*:\s*pre/);
    expect(email.html).not.toMatch(/(margin|padding|border|inset)-(inline|block)/);
    expect(email.html).not.toMatch(/text-align\s*:\s*(start|end)/);
    expect(email.html).not.toMatch(/display\s*:\s*(flex|grid)/);
    expect(email.html).not.toContain("<style");
  });

  it.each(all)(
    "keeps the content in a column of 600 px at most, the whole width of a phone, in the $name",
    ({ email }) => {
      // Act
      const document = parseDocument(email.html);

      // Assess
      const column = elements(document, "table").find((table) =>
        (table.attribs.style ?? "").includes("max-width:600px"),
      );
      expect(column?.attribs.width).toBe("100%");
      expect(email.html).toContain('<!--[if mso]><table role="presentation" width="600"');
      expect(email.html).toContain(
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
      );
    },
  );

  it.each(all)(
    "has the Khartoum Process at the top and why the member receives it at the bottom, in the $name",
    ({ email }) => {
      // Act
      const document = parseDocument(email.html);
      const cells = elements(document, "td").filter((cell) => cell.attribs.lang !== undefined);

      // Assess
      expect(textOf(cells[0] as Node)).toContain(message(email.language as Language, "brand"));
      expect(textOf(cells.at(-1) as Node)).toContain(
        message(email.language as Language, "footer")
          .split("{")[0]
          ?.trim(),
      );
    },
  );

  it.each(LANGUAGES)("breaks the meeting's description into lines with <br> (%s)", (language) => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation", withPrevious),
      contact(language, "Africa/Nairobi"),
      sender,
    );

    // Assess
    expect(email.html).toContain("Day 1: arrival.<br>Day 2: sessions.");
  });

  it("puts every Latin name, title and place of an Arabic notice in its own <bdi>", () => {
    // Act
    const email = composeNotice(
      meetingNotice("update", withPrevious),
      contact("ar", "Africa/Nairobi", { name: "Amina Wanjiru" }),
      sender,
    );

    // Assess
    const isolated = elements(parseDocument(email.html), "bdi").map((bdi) => textOf(bdi));
    expect(isolated).toEqual(
      expect.arrayContaining([
        "Amina Wanjiru",
        "9th Senior Officials' Meeting",
        "Federal Foreign Office",
        "Berlin",
        "ألمانيا",
        "Rabat",
        "المغرب",
        "https://example.org/agenda.pdf",
      ]),
    );
    expect(email.text).toContain("\u2068Amina Wanjiru\u2069");
    expect(email.text).toContain(
      "المكان: \u2068Federal Foreign Office\u2069، \u2068Berlin\u2069، \u2068ألمانيا\u2069",
    );
  });

  it.each([
    { language: "en" as const, button: "I will attend", stop: "Stop reminders" },
    { language: "fr" as const, button: "Je participerai", stop: "Arrêter les rappels" },
    { language: "ar" as const, button: "سأحضر", stop: "إيقاف رسائل التذكير" },
  ])(
    "offers the answers as buttons and, in a reminder, a link that stops reminders ($language)",
    ({ language, button, stop }) => {
      // Act
      const email = composeNotice(
        meetingNotice("reminder", som9),
        contact(language, "Europe/Berlin"),
        sender,
        links,
      );

      // Assess
      const anchors = elements(parseDocument(email.html), "a");
      const answer = anchors.find((anchor) => textOf(anchor) === button);
      const stopLink = anchors.find((anchor) => textOf(anchor) === stop);
      expect(answer?.attribs.href).toMatch(/^https:\/\/rsvp\.example\.org\/rsvp\/[\w-]+\.[\w-]+$/);
      expect(stopLink?.attribs.href).toBe(email.unsubscribe);
      expect(email.text).toContain(`${stop}${message(language, "sep.label")}${email.unsubscribe}`);
    },
  );

  it("offers no stop-reminders link outside reminders", () => {
    // Act
    const email = composeNotice(
      meetingNotice("invitation"),
      contact("en", "Europe/Berlin"),
      sender,
      links,
    );

    // Assess
    expect(email.unsubscribe).toBeUndefined();
    expect(email.text).not.toContain("Stop reminders");
  });
});

describe("an update says what changed", () => {
  it("gives the previous time and venue next to the new ones", () => {
    // Prepare
    const moved: MeetingSnapshot = {
      ...som9,
      startsAt: "2023-03-17T09:00",
      endsAt: "2023-03-17T17:30",
      venue: { city: "Rabat", country: "MA" },
      sequence: 1,
      previous: {
        startsAt: som9.startsAt,
        endsAt: som9.endsAt,
        timeZone: som9.timeZone,
        venue: som9.venue,
      },
    };

    // Act
    const email = composeNotice(
      meetingNotice("update", moved),
      contact("en", "Europe/Berlin"),
      sender,
    );

    // Assess
    expect(email.text).toContain("has a new time and venue;");
    expect(email.text).toContain("When: Friday, 17 March 2023, 09:00");
    expect(email.text).toContain("Previous time: Thursday, 16 March 2023, 09:00");
    expect(email.text).toContain("Where: Rabat, Morocco");
    expect(email.text).toContain("Previous venue: Federal Foreign Office, Berlin, Germany");
  });

  it("says only that the meeting changed when the notice does not know how", () => {
    // Act
    const email = composeNotice(
      meetingNotice("update", { ...som9, sequence: 1 }),
      contact("en", "Europe/Berlin"),
      sender,
    );

    // Assess
    expect(email.text).toContain("The following meeting of the Khartoum Process has changed;");
    expect(email.text).not.toContain("Previous");
  });
});

describe("time zones named for people", () => {
  it.each([
    { zone: "Africa/Nairobi", language: "en" as const, name: "East Africa Time (UTC+3)" },
    {
      zone: "Europe/Vienna",
      language: "fr" as const,
      name: "heure d'été d'Europe centrale (UTC+2)",
    },
    { zone: "Africa/Khartoum", language: "ar" as const, name: "توقيت وسط أفريقيا (UTC+2)" },
    { zone: "Asia/Kolkata", language: "en" as const, name: "India Standard Time (UTC+5:30)" },
    {
      zone: "America/St_Johns",
      language: "en" as const,
      name: "Newfoundland Daylight Time (UTC−2:30)",
    },
    { zone: "Africa/Casablanca", language: "en" as const, name: "UTC+1" },
  ])("names $zone in $language as $name", ({ zone, language, name }) => {
    // Act
    const named = timeZoneName(zone, new Date("2026-07-01T12:00:00Z"), language);

    // Assess
    expect(named).toBe(name);
  });
});
