import type { Language } from "../contract/index.js";

/**
 * Every text of every notice, in each language of the contract. A test checks that each
 * language has every key; placeholders are {name}.
 */
export const MESSAGES = {
  en: {
    brand: "Khartoum Process",
    "notice.invitation": "Invitation",
    "notice.update": "Meeting changed",
    "notice.cancellation": "Meeting cancelled",
    "notice.reminder": "Reminder",
    "notice.chair-handover": "Chair handover",
    "notice.chair-designation": "Next Chair",
    "subject.invitation": "Invitation: {title} ({city}, {date})",
    "subject.update": "Changed: {title} ({city}, {date})",
    "subject.cancellation": "Cancelled: {title} ({city}, {date})",
    "subject.reminder": "Reminder: {title} ({city}, {date})",
    "subject.chair-handover": "Khartoum Process Chair: {from} hands over to {to}",
    "subject.chair-designation": "Khartoum Process: {to} designated as the next Chair",
    "sep.label": ": ",
    "sep.list": ", ",
    greeting: "Dear {name},",
    "intro.invitation":
      "You are invited to the following meeting of the Khartoum Process in {city}.",
    "intro.update":
      "The following meeting of the Khartoum Process has changed; the attached calendar entry replaces the earlier one.",
    "intro.update-what":
      "The following meeting of the Khartoum Process has a new {changes}; the attached calendar entry replaces the earlier one.",
    "change.time": "time",
    "change.venue": "venue",
    "change.time-and-venue": "time and venue",
    "intro.cancellation":
      "The following meeting of the Khartoum Process in {city} is cancelled; the attached calendar update removes it from your calendar.",
    "intro.reminder":
      "A reminder: the following meeting of the Khartoum Process in {city} begins {relative}.",
    "chair.handover":
      "{from} has handed over the Chair of the Khartoum Process to {to}, as of {date}.",
    "chair.handover-at": "The handover took place at the {meeting}.",
    "chair.designation": "{to} has been designated as the next Chair of the Khartoum Process.",
    "chair.takes-office": "{to} takes office on {date}.",
    "label.meeting": "Meeting",
    "label.when": "When",
    "label.venue-time": "Local time at the venue: {zone}",
    "label.your-time": "Your time",
    "label.zone": "{zone}",
    "label.where": "Where",
    "label.previous-when": "Previous time",
    "label.previous-where": "Previous venue",
    "label.agenda": "Agenda",
    "label.reason": "Reason",
    "label.about": "About the meeting",
    "calendar.attached": "The calendar entry is attached (invite.ics).",
    signature: "The Khartoum Process Secretariat",
    footer: "You receive this notice as a contact of {represents} in the Khartoum Process.",
    "footer.reply": "Questions? Reply to this email, or write to {address}.",
    "footer.automatic": "This notice was sent automatically.",
    "reminders.stop-prompt": "No more reminders before meetings?",
    "reminders.stop": "Stop reminders",
    "reminders.page-question":
      "Stop the reminders sent before each meeting of the Khartoum Process? You will still receive invitations, changes and cancellations.",
    "reminders.stopped": "Done: you will receive no more reminders.",
    "reminders.off": "Your reminders are off: you receive no reminders before meetings.",
    "reminders.resume-prompt": "Changed your mind?",
    "reminders.resume": "Turn reminders back on",
    "reminders.resumed": "Done: you will again receive the reminders before each meeting.",
    "reminders.secretariat-off":
      "The secretariat has turned the reminders off for this address: to receive them again, write to the secretariat.",
    "reminders.unknown":
      "This link can no longer be used: the secretariat no longer sends notices to this contact.",
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
    brand: "Processus de Khartoum",
    "notice.invitation": "Invitation",
    "notice.update": "Réunion modifiée",
    "notice.cancellation": "Réunion annulée",
    "notice.reminder": "Rappel",
    "notice.chair-handover": "Passation de la présidence",
    "notice.chair-designation": "Prochaine présidence",
    "subject.invitation": "Invitation : {title} ({city}, {date})",
    "subject.update": "Modification : {title} ({city}, {date})",
    "subject.cancellation": "Annulation : {title} ({city}, {date})",
    "subject.reminder": "Rappel : {title} ({city}, {date})",
    "subject.chair-handover": "Processus de Khartoum : la présidence passe {from.de} {to.a}",
    "subject.chair-designation":
      "Processus de Khartoum : la prochaine présidence est confiée {to.a}",
    "sep.label": " : ",
    "sep.list": ", ",
    greeting: "Bonjour {name},",
    "intro.invitation":
      "Nous avons l'honneur de vous inviter à la réunion suivante du Processus de Khartoum, {city.a}.",
    "intro.update":
      "La réunion suivante du Processus de Khartoum a été modifiée ; l'entrée d'agenda jointe remplace la précédente.",
    "intro.update-what":
      "La réunion suivante du Processus de Khartoum change {changes} ; l'entrée d'agenda jointe remplace la précédente.",
    "change.time": "d'horaire",
    "change.venue": "de lieu",
    "change.time-and-venue": "d'horaire et de lieu",
    "intro.cancellation":
      "La réunion suivante du Processus de Khartoum, prévue {city.a}, est annulée ; la mise à jour jointe la retire de votre agenda.",
    "intro.reminder":
      "Rappel : la réunion suivante du Processus de Khartoum, {city.a}, commence {relative}.",
    "chair.handover":
      "La présidence du Processus de Khartoum est passée {from.de} {to.a} le {date}.",
    "chair.handover-at": "La passation a eu lieu lors de la réunion « {meeting} ».",
    "chair.designation": "La prochaine présidence du Processus de Khartoum a été confiée {to.a}.",
    "chair.takes-office": "La présidence {to.de} commence le {date}.",
    "label.meeting": "Réunion",
    "label.when": "Date",
    "label.venue-time": "Heure locale du lieu : {zone}",
    "label.your-time": "Votre heure",
    "label.zone": "{zone}",
    "label.where": "Lieu",
    "label.previous-when": "Horaire précédent",
    "label.previous-where": "Lieu précédent",
    "label.agenda": "Ordre du jour",
    "label.reason": "Motif",
    "label.about": "À propos de la réunion",
    "calendar.attached": "L'entrée d'agenda est jointe (invite.ics).",
    signature: "Le Secrétariat du Processus de Khartoum",
    footer:
      "Vous recevez cet avis en tant que contact {represents.de} au sein du Processus de Khartoum.",
    "footer.reply": "Une question ? Répondez à ce courriel ou écrivez à {address}.",
    "footer.automatic": "Cet avis a été envoyé automatiquement.",
    "reminders.stop-prompt": "Vous ne souhaitez plus de rappels avant les réunions ?",
    "reminders.stop": "Arrêter les rappels",
    "reminders.page-question":
      "Ne plus recevoir les rappels envoyés avant chaque réunion du Processus de Khartoum ? Vous recevrez toujours les invitations, les modifications et les annulations.",
    "reminders.stopped": "C'est fait : vous ne recevrez plus de rappels.",
    "reminders.off":
      "Vos rappels sont désactivés : vous ne recevez pas de rappel avant les réunions.",
    "reminders.resume-prompt": "Vous avez changé d'avis ?",
    "reminders.resume": "Réactiver les rappels",
    "reminders.resumed": "C'est fait : vous recevrez de nouveau les rappels avant chaque réunion.",
    "reminders.secretariat-off":
      "Le Secrétariat a désactivé les rappels pour cette adresse : pour les recevoir de nouveau, écrivez au Secrétariat.",
    "reminders.unknown":
      "Ce lien ne peut plus être utilisé : le Secrétariat n'envoie plus d'avis à ce contact.",
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
    brand: "عملية الخرطوم",
    "notice.invitation": "دعوة",
    "notice.update": "تعديل اجتماع",
    "notice.cancellation": "إلغاء اجتماع",
    "notice.reminder": "تذكير",
    "notice.chair-handover": "انتقال الرئاسة",
    "notice.chair-designation": "الرئاسة القادمة",
    "subject.invitation": "دعوة: {title} ({city}، {date})",
    "subject.update": "تعديل: {title} ({city}، {date})",
    "subject.cancellation": "إلغاء: {title} ({city}، {date})",
    "subject.reminder": "تذكير: {title} ({city}، {date})",
    "subject.chair-handover": "عملية الخرطوم: انتقال الرئاسة من {from} إلى {to}",
    "subject.chair-designation": "عملية الخرطوم: إسناد الرئاسة القادمة إلى {to}",
    "sep.label": ": ",
    "sep.list": "، ",
    greeting: "السيد/السيدة {name}،",
    "intro.invitation": "يسرّنا دعوتكم إلى الاجتماع التالي لعملية الخرطوم في {city}.",
    "intro.update":
      "طرأ تغيير على الاجتماع التالي لعملية الخرطوم؛ يحلّ موعد التقويم المرفق محلّ الموعد السابق.",
    "intro.update-what":
      "تغيّر {changes} الاجتماع التالي لعملية الخرطوم؛ يحلّ موعد التقويم المرفق محلّ الموعد السابق.",
    "change.time": "موعد",
    "change.venue": "مكان",
    "change.time-and-venue": "موعد ومكان",
    "intro.cancellation":
      "أُلغي الاجتماع التالي لعملية الخرطوم الذي كان مقررًا في {city}؛ يزيل التحديث المرفق الموعد من تقويمكم.",
    "intro.reminder": "تذكير: يبدأ الاجتماع التالي لعملية الخرطوم في {city} {relative}.",
    "chair.handover": "انتقلت رئاسة عملية الخرطوم من {from} إلى {to} اعتبارًا من {date}.",
    "chair.handover-at": "جرى التسليم خلال اجتماع «{meeting}».",
    "chair.designation": "أُسندت الرئاسة القادمة لعملية الخرطوم إلى {to}.",
    "chair.takes-office": "تبدأ رئاسة {to} في {date}.",
    "label.meeting": "الاجتماع",
    "label.when": "الموعد",
    "label.venue-time": "بالتوقيت المحلي لمكان الاجتماع: {zone}",
    "label.your-time": "بتوقيتكم",
    "label.zone": "{zone}",
    "label.where": "المكان",
    "label.previous-when": "الموعد السابق",
    "label.previous-where": "المكان السابق",
    "label.agenda": "جدول الأعمال",
    "label.reason": "السبب",
    "label.about": "عن الاجتماع",
    "calendar.attached": "موعد التقويم مرفق (invite.ics).",
    signature: "أمانة عملية الخرطوم",
    footer: "تصلكم هذه الرسالة بصفتكم جهة اتصال تمثّل {represents} في عملية الخرطوم.",
    "footer.reply": "لأي استفسار، يُرجى الرد على هذه الرسالة أو الكتابة إلى {address}.",
    "footer.automatic": "أُرسلت هذه الرسالة تلقائيًا.",
    "reminders.stop-prompt": "ألا ترغبون في تلقي رسائل تذكير قبل الاجتماعات؟",
    "reminders.stop": "إيقاف رسائل التذكير",
    "reminders.page-question":
      "هل تريدون إيقاف رسائل التذكير التي تُرسل قبل كل اجتماع لعملية الخرطوم؟ ستستمر الدعوات والتعديلات والإلغاءات في الوصول إليكم.",
    "reminders.stopped": "تم ذلك: لن تصلكم رسائل تذكير بعد الآن.",
    "reminders.off": "رسائل التذكير متوقفة: لا تصلكم رسائل تذكير قبل الاجتماعات.",
    "reminders.resume-prompt": "هل غيّرتم رأيكم؟",
    "reminders.resume": "إعادة تفعيل رسائل التذكير",
    "reminders.resumed": "تم ذلك: ستصلكم رسائل التذكير مجددًا قبل كل اجتماع.",
    "reminders.secretariat-off":
      "أوقفت الأمانة رسائل التذكير لهذا العنوان: لتلقيها مجددًا، يُرجى مراسلة الأمانة.",
    "reminders.unknown":
      "لم يعد بالإمكان استخدام هذا الرابط: لم تعد الأمانة ترسل رسائل إلى جهة الاتصال هذه.",
    "rsvp.prompt": "هل ستحضرون؟ أجيبوا بنقرة واحدة (أو بأزرار تقويمكم):",
    "rsvp.accepted": "سأحضر",
    "rsvp.declined": "لن أحضر",
    "rsvp.tentative": "لم أقرّر بعد",
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

/**
 * A value for a placeholder: a text, or a name with the forms French needs after "de" and "à"
 * ({to.de}, {to.a}; {to} is the name with its article).
 */
export type MessageValue = string | { plain: string; de: string; a: string };

/** A filled template, as text and the values put in (which a renderer may isolate). */
export type MessagePart = { text: string } | { value: string };

const PLACEHOLDER = /\{(\w+)(?:\.(de|a))?\}/g;

export function messageParts(
  language: Language,
  key: MessageKey,
  values: Record<string, MessageValue> = {},
): MessagePart[] {
  const template: string = MESSAGES[language][key] ?? MESSAGES.en[key];
  const parts: MessagePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [placeholder, name = "", form] = match;
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    const value = values[name];
    if (value === undefined) parts.push({ text: placeholder });
    else if (typeof value === "string") parts.push({ value });
    else parts.push({ value: form === undefined ? value.plain : value[form as "de" | "a"] });
    last = match.index + placeholder.length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

export function message(
  language: Language,
  key: MessageKey,
  values: Record<string, MessageValue> = {},
): string {
  return messageParts(language, key, values)
    .map((part) => ("text" in part ? part.text : part.value))
    .join("");
}
