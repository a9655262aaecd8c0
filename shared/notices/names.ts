import type { Language } from "../contract/index.js";
import { findMemberState, findOrganisation } from "../reference/index.js";
import { LOCALES } from "./messages.js";

/** Intl formatters are costly to build and the same few serve every notice: build each once. */
const formatters = new Map<string, unknown>();
export function cached<T>(key: string, build: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (formatter === undefined) {
    formatter = build();
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * A name as French sentences need it: alone ("le Kenya"), after "de" ("du Kenya") and after
 * "à" ("au Kenya"). English and Arabic sentences are written so that the bare name fits.
 */
export interface NameForms {
  plain: string;
  de: string;
  a: string;
}

/** A country's name in the language, for any ISO 3166-1 code (Intl has them all). */
export function countryName(code: string, language: Language): string {
  if (language === "en") {
    const member = findMemberState(code)?.name;
    if (member !== undefined) return member;
  }
  const names = cached(
    `names:${language}`,
    () => new Intl.DisplayNames([LOCALES[language]], { type: "region", fallback: "code" }),
  );
  return names.of(code) ?? code;
}

/**
 * The article a French name takes: "le Kenya", "la Tunisie", "les Pays-Bas", none for
 * Djibouti, Chypre, Malte. "l'" is not listed: it follows from a vowel (h aspiré keeps "la
 * Hongrie"). Names Intl does not give (the organisations) are spelled out here.
 */
type FrenchArticle = "le" | "la" | "les" | "";
const FRENCH_MEMBER_ARTICLES: Record<string, FrenchArticle> = {
  AT: "la",
  BE: "la",
  BG: "la",
  HR: "la",
  CY: "",
  CZ: "la",
  DK: "le",
  DJ: "",
  EG: "la",
  ER: "la",
  EE: "la",
  ET: "la",
  FI: "la",
  FR: "la",
  DE: "la",
  GR: "la",
  HU: "la",
  IE: "la",
  IT: "la",
  KE: "le",
  LV: "la",
  LY: "la",
  LT: "la",
  LU: "le",
  MT: "",
  NL: "les",
  NO: "la",
  PL: "la",
  PT: "le",
  RO: "la",
  SK: "la",
  SI: "la",
  SO: "la",
  SS: "le",
  ES: "la",
  SD: "le",
  SE: "la",
  CH: "la",
  TN: "la",
  UG: "le",
};

/** The organisations' names in French and Arabic (the reference list has them in English). */
const ORGANISATION_NAMES: Record<string, { fr: [FrenchArticle, string]; ar: string }> = {
  AUC: { fr: ["la", "Commission de l'Union africaine"], ar: "مفوضية الاتحاد الأفريقي" },
  EC: { fr: ["la", "Commission européenne"], ar: "المفوضية الأوروبية" },
  ICMPD: {
    fr: ["le", "Centre international pour le développement des politiques migratoires"],
    ar: "المركز الدولي لتطوير سياسات الهجرة",
  },
  EEAS: {
    fr: ["le", "Service européen pour l'action extérieure"],
    ar: "دائرة العمل الخارجي الأوروبي",
  },
  "EC-DG-HOME": {
    fr: ["la", "Commission européenne (DG Migration et affaires intérieures)"],
    ar: "المفوضية الأوروبية (المديرية العامة للهجرة والشؤون الداخلية)",
  },
  "EC-DG-DEVCO": {
    fr: ["la", "Commission européenne (DG Développement et coopération)"],
    ar: "المفوضية الأوروبية (المديرية العامة للتنمية والتعاون)",
  },
  "EC-DG-NEAR": {
    fr: ["la", "Commission européenne (DG Voisinage et négociations d'élargissement)"],
    ar: "المفوضية الأوروبية (المديرية العامة للجوار ومفاوضات التوسيع)",
  },
  IOM: {
    fr: ["la", "Organisation internationale pour les migrations"],
    ar: "المنظمة الدولية للهجرة",
  },
  UNHCR: {
    fr: ["le", "Haut-Commissariat des Nations unies pour les réfugiés"],
    ar: "مفوضية الأمم المتحدة السامية لشؤون اللاجئين",
  },
  UNODC: {
    fr: ["le", "Office des Nations unies contre la drogue et le crime"],
    ar: "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
  },
  IGAD: {
    fr: ["la", "Autorité intergouvernementale pour le développement"],
    ar: "الهيئة الحكومية الدولية المعنية بالتنمية",
  },
};

/** A vowel sound: "l'", "d'" before it. An initial h is treated as aspiré (la Hongrie). */
const STARTS_WITH_VOWEL = /^[aeiouyàâäéèêëîïôöùûü]/i;

/** "le"/"la"/"les"/none with a name, and the forms after "de" and "à" (du, au, des, aux, l'). */
export function frenchForms(article: FrenchArticle, name: string): NameForms {
  const vowel = STARTS_WITH_VOWEL.test(name);
  switch (article) {
    case "le":
      return vowel
        ? { plain: `l'${name}`, de: `de l'${name}`, a: `à l'${name}` }
        : { plain: `le ${name}`, de: `du ${name}`, a: `au ${name}` };
    case "la":
      return vowel
        ? { plain: `l'${name}`, de: `de l'${name}`, a: `à l'${name}` }
        : { plain: `la ${name}`, de: `de la ${name}`, a: `à la ${name}` };
    case "les":
      return { plain: `les ${name}`, de: `des ${name}`, a: `aux ${name}` };
    case "":
      return { plain: name, de: vowel ? `d'${name}` : `de ${name}`, a: `à ${name}` };
  }
}

/** A member state's name with its forms, in the language. */
export function memberStateForms(code: string, language: Language): NameForms {
  const name = countryName(code, language);
  if (language !== "fr") return { plain: name, de: name, a: name };
  return frenchForms(FRENCH_MEMBER_ARTICLES[code] ?? "", name);
}

/** An organisation's full name with its forms, in the language. */
export function organisationForms(id: string, language: Language): NameForms {
  const names = ORGANISATION_NAMES[id];
  if (language === "fr" && names !== undefined) return frenchForms(...names.fr);
  const name =
    language === "ar" && names !== undefined ? names.ar : (findOrganisation(id)?.name ?? id);
  return { plain: name, de: name, a: name };
}

/**
 * A city after "à" in French: "à Mombasa", "au Caire", "aux Sables-d'Olonne", "à La Valette";
 * the bare name in English and Arabic.
 */
export function cityForms(city: string, language: Language): NameForms {
  if (language !== "fr") return { plain: city, de: city, a: city };
  if (/^Le /.test(city)) {
    return { plain: city, de: `du ${city.slice(3)}`, a: `au ${city.slice(3)}` };
  }
  if (/^Les /.test(city)) {
    return { plain: city, de: `des ${city.slice(4)}`, a: `aux ${city.slice(4)}` };
  }
  return {
    plain: city,
    de: STARTS_WITH_VOWEL.test(city) ? `d'${city}` : `de ${city}`,
    a: `à ${city}`,
  };
}

/** "UTC+3", "UTC+5:30", "UTC−2:30", "UTC" (for +00:00): the zone's offset at that instant. */
export function utcOffset(timeZone: string, instant: Date): string {
  const part = cached(
    `offset:${timeZone}`,
    () => new Intl.DateTimeFormat("en", { timeZone, timeZoneName: "longOffset" }),
  )
    .formatToParts(instant)
    .find((candidate) => candidate.type === "timeZoneName")?.value;
  const match = /([+-])(\d{2}):(\d{2})/.exec(part ?? "");
  const [, sign, hours, minutes] = match ?? [];
  if (match === null || (hours === "00" && minutes === "00")) return "UTC";
  return `UTC${sign === "-" ? "−" : "+"}${Number(hours)}${minutes === "00" ? "" : `:${minutes}`}`;
}

/**
 * A time zone named for people, at that instant (summer time included): "East Africa Time
 * (UTC+3)", "heure d'été d'Europe centrale (UTC+2)"; the offset alone where the language has no
 * name for the zone (ICU then answers an offset itself).
 */
export function timeZoneName(timeZone: string, instant: Date, language: Language): string {
  const offset = utcOffset(timeZone, instant);
  const name = cached(
    `zone:${language}:${timeZone}`,
    () => new Intl.DateTimeFormat(LOCALES[language], { timeZone, timeZoneName: "long" }),
  )
    .formatToParts(instant)
    .find((part) => part.type === "timeZoneName")
    ?.value.replace(/’/g, "'");
  if (name === undefined || /\d/.test(name)) return offset;
  return `${name} (${offset})`;
}
