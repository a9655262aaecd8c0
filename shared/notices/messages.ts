import type { Language } from "../contract/index.js";

/**
 * Every text of every notice, in each language of the contract. A test checks that each
 * language has every key; placeholders are {name}.
 */
export const MESSAGES = {
  en: {
    "subject.invitation": "Invitation: {title} ({city}, {date})",
    "subject.update": "Changed: {title} ({city}, {date})",
    "subject.cancellation": "Cancelled: {title} ({city}, {date})",
    "subject.reminder": "Reminder: {title} ({city}, {date})",
    "subject.chair-handover": "Khartoum Process Chair: {from} hands over to {to}",
    "subject.chair-designation": "Khartoum Process: {to} designated as the next Chair",
    "sep.label": ": ",
    "sep.list": ", ",
    greeting: "Dear {name},",
    "intro.invitation": "You are invited to the following meeting of the Khartoum Process.",
    "intro.update":
      "The following meeting of the Khartoum Process has changed; the attached calendar entry replaces the earlier one.",
    "intro.cancellation":
      "The following meeting of the Khartoum Process is cancelled; the attached calendar update removes it from your calendar.",
    "intro.reminder":
      "A reminder: the following meeting of the Khartoum Process begins {relative}.",
    "chair.handover":
      "{from} has handed over the Chair of the Khartoum Process to {to}, as of {date}.",
    "chair.handover-at": "The handover took place at the {meeting}.",
    "chair.designation": "{to} has been designated as the next Chair of the Khartoum Process.",
    "chair.takes-office": "{to} takes office on {date}.",
    "label.meeting": "Meeting",
    "label.when": "When",
    "label.venue-time": "local time at the venue",
    "label.your-time": "your time",
    "label.where": "Where",
    "label.agenda": "Agenda",
    "label.reason": "Reason",
    "label.about": "About the meeting",
    "calendar.attached": "The calendar entry is attached (invite.ics).",
    signature: "The Khartoum Process Secretariat",
    footer: "You receive this notice as a contact of {represents} in the Khartoum Process.",
    "rsvp.prompt": "Will you attend? Answer with one click (or with your calendar's buttons):",
    "rsvp.accepted": "I will attend",
    "rsvp.declined": "I will not attend",
    "rsvp.tentative": "Not sure yet",
    "rsvp.page-title": "Your answer",
    "rsvp.page-question": "{title}: please confirm your answer.",
    "rsvp.confirm": "Confirm",
    "rsvp.recorded": "Thank you. Your answer is recorded: {answer}.",
    "rsvp.change": "You can change it at any time with another link of the email.",
    "rsvp.invalid":
      "This link cannot be used: it was altered or has expired. Please use the links of the latest email about the meeting.",
    "rsvp.unknown": "This meeting is no longer open for answers.",
    "kind.ministerial-conference": "Ministerial Conference",
    "kind.steering-committee-meeting": "Steering Committee meeting",
    "kind.senior-officials-meeting": "Senior Officials' Meeting",
    "kind.thematic-meeting": "thematic meeting",
    "kind.thematic-workshop": "thematic workshop",
    "kind.regional-training": "regional training",
  },
  fr: {
    "subject.invitation": "Invitation : {title} ({city}, {date})",
    "subject.update": "Modification : {title} ({city}, {date})",
    "subject.cancellation": "Annulation : {title} ({city}, {date})",
    "subject.reminder": "Rappel : {title} ({city}, {date})",
    "subject.chair-handover": "Présidence du Processus de Khartoum : {from} passe le relais à {to}",
    "subject.chair-designation":
      "Processus de Khartoum : {to} désigné(e) à la prochaine présidence",
    "sep.label": " : ",
    "sep.list": ", ",
    greeting: "Bonjour {name},",
    "intro.invitation": "Vous êtes invité(e) à la réunion suivante du Processus de Khartoum.",
    "intro.update":
      "La réunion suivante du Processus de Khartoum a changé ; l'entrée d'agenda jointe remplace la précédente.",
    "intro.cancellation":
      "La réunion suivante du Processus de Khartoum est annulée ; la mise à jour jointe la retire de votre agenda.",
    "intro.reminder": "Rappel : la réunion suivante du Processus de Khartoum commence {relative}.",
    "chair.handover":
      "{from} a transmis la présidence du Processus de Khartoum à {to}, à compter du {date}.",
    "chair.handover-at": "La passation a eu lieu lors de la réunion « {meeting} ».",
    "chair.designation":
      "{to} a été désigné(e) à la prochaine présidence du Processus de Khartoum.",
    "chair.takes-office": "{to} prend ses fonctions le {date}.",
    "label.meeting": "Réunion",
    "label.when": "Date",
    "label.venue-time": "heure locale du lieu de réunion",
    "label.your-time": "votre heure",
    "label.where": "Lieu",
    "label.agenda": "Ordre du jour",
    "label.reason": "Motif",
    "label.about": "À propos de la réunion",
    "calendar.attached": "L'entrée d'agenda est jointe (invite.ics).",
    signature: "Le Secrétariat du Processus de Khartoum",
    footer:
      "Vous recevez cet avis en tant que contact de {represents} au sein du Processus de Khartoum.",
    "rsvp.prompt": "Participerez-vous ? Répondez d'un clic (ou avec les boutons de votre agenda) :",
    "rsvp.accepted": "Je participerai",
    "rsvp.declined": "Je ne participerai pas",
    "rsvp.tentative": "Je ne sais pas encore",
    "rsvp.page-title": "Votre réponse",
    "rsvp.page-question": "{title} : veuillez confirmer votre réponse.",
    "rsvp.confirm": "Confirmer",
    "rsvp.recorded": "Merci. Votre réponse est enregistrée : {answer}.",
    "rsvp.change": "Vous pouvez la modifier à tout moment avec un autre lien du courriel.",
    "rsvp.invalid":
      "Ce lien ne peut pas être utilisé : il a été modifié ou a expiré. Veuillez utiliser les liens du dernier courriel concernant la réunion.",
    "rsvp.unknown": "Cette réunion n'attend plus de réponses.",
    "kind.ministerial-conference": "Conférence ministérielle",
    "kind.steering-committee-meeting": "réunion du Comité de pilotage",
    "kind.senior-officials-meeting": "réunion des hauts fonctionnaires",
    "kind.thematic-meeting": "réunion thématique",
    "kind.thematic-workshop": "atelier thématique",
    "kind.regional-training": "formation régionale",
  },
  ar: {
    "subject.invitation": "دعوة: {title} ({city}، {date})",
    "subject.update": "تعديل: {title} ({city}، {date})",
    "subject.cancellation": "إلغاء: {title} ({city}، {date})",
    "subject.reminder": "تذكير: {title} ({city}، {date})",
    "subject.chair-handover": "رئاسة عملية الخرطوم: {from} تسلّم الرئاسة إلى {to}",
    "subject.chair-designation": "عملية الخرطوم: تعيين {to} للرئاسة القادمة",
    "sep.label": ": ",
    "sep.list": "، ",
    greeting: "السيد/السيدة {name}،",
    "intro.invitation": "يسرّنا دعوتكم إلى الاجتماع التالي لعملية الخرطوم.",
    "intro.update":
      "طرأ تغيير على الاجتماع التالي لعملية الخرطوم؛ يحلّ موعد التقويم المرفق محلّ الموعد السابق.",
    "intro.cancellation":
      "أُلغي الاجتماع التالي لعملية الخرطوم؛ يزيل التحديث المرفق الموعد من تقويمكم.",
    "intro.reminder": "تذكير: يبدأ الاجتماع التالي لعملية الخرطوم {relative}.",
    "chair.handover": "سلّمت {from} رئاسة عملية الخرطوم إلى {to} اعتبارًا من {date}.",
    "chair.handover-at": "جرى التسليم خلال {meeting}.",
    "chair.designation": "عُيّنت {to} للرئاسة القادمة لعملية الخرطوم.",
    "chair.takes-office": "تتولى {to} الرئاسة في {date}.",
    "label.meeting": "الاجتماع",
    "label.when": "الموعد",
    "label.venue-time": "بالتوقيت المحلي لمكان الاجتماع",
    "label.your-time": "بتوقيتكم",
    "label.where": "المكان",
    "label.agenda": "جدول الأعمال",
    "label.reason": "السبب",
    "label.about": "عن الاجتماع",
    "calendar.attached": "موعد التقويم مرفق (invite.ics).",
    signature: "أمانة عملية الخرطوم",
    footer: "تصلكم هذه الرسالة بصفتكم جهة اتصال لـ{represents} في عملية الخرطوم.",
    "rsvp.prompt": "هل ستحضرون؟ أجيبوا بنقرة واحدة (أو بأزرار تقويمكم):",
    "rsvp.accepted": "سأحضر",
    "rsvp.declined": "لن أحضر",
    "rsvp.tentative": "لست متأكدًا بعد",
    "rsvp.page-title": "ردّكم",
    "rsvp.page-question": "{title}: يُرجى تأكيد ردّكم.",
    "rsvp.confirm": "تأكيد",
    "rsvp.recorded": "شكرًا لكم. سُجّل ردّكم: {answer}.",
    "rsvp.change": "يمكنكم تغييره في أي وقت عبر رابط آخر من الرسالة.",
    "rsvp.invalid":
      "لا يمكن استخدام هذا الرابط: فقد عُدّل أو انتهت صلاحيته. يُرجى استخدام روابط أحدث رسالة عن الاجتماع.",
    "rsvp.unknown": "لم يعد هذا الاجتماع يقبل الردود.",
    "kind.ministerial-conference": "المؤتمر الوزاري",
    "kind.steering-committee-meeting": "اجتماع اللجنة التوجيهية",
    "kind.senior-officials-meeting": "اجتماع كبار المسؤولين",
    "kind.thematic-meeting": "اجتماع مواضيعي",
    "kind.thematic-workshop": "ورشة عمل مواضيعية",
    "kind.regional-training": "تدريب إقليمي",
  },
} as const satisfies Record<Language, Record<string, string>>;

export type MessageKey = keyof (typeof MESSAGES)["en"];

/** Intl locales for formatting dates and names in each language. */
export const LOCALES: Record<Language, string> = { en: "en-GB", fr: "fr-FR", ar: "ar" };

export function message(
  language: Language,
  key: MessageKey,
  values: Record<string, string> = {},
): string {
  const template: string = MESSAGES[language][key] ?? MESSAGES.en[key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
