import { useState } from "preact/hooks";
import {
  CONTACT_ROLES,
  type ContractEvent,
  findContractEvent,
  LANGUAGES,
  MEETING_KINDS,
} from "../../shared/contract/index.js";
import { memberStates, organisations } from "../../shared/reference/index.js";
import { type Api, ApiError } from "./api.js";
import { useT } from "./context.js";
import type { MessageKey } from "./i18n.js";

interface FieldSpec {
  /** The field's path in the detail: "venue.city". */
  path: string;
  label: MessageKey;
  type?: "text" | "select" | "textarea";
  options?: readonly { value: string; label: string }[];
  placeholder?: string;
  /** Shown only when another field has this value. */
  when?: { path: string; value: string };
  list?: boolean;
  boolean?: boolean;
}

const stateOptions = [
  { value: "", label: "—" },
  ...memberStates.map((state) => ({ value: state.code, label: `${state.name} (${state.code})` })),
];
const organisationOptions = [
  { value: "", label: "—" },
  ...organisations.map((organisation) => ({ value: organisation.id, label: organisation.id })),
];
const plain = (values: readonly string[]) => values.map((value) => ({ value, label: value }));
const WHEN = "YYYY-MM-DDTHH:mm";

/** The form of each detail-type: the contract's fields, in the contract's words. */
export const FORMS: Record<string, FieldSpec[]> = {
  "Meeting Scheduled": [
    { path: "meetingId", label: "field.meetingId", placeholder: "som-12-rome-2027" },
    { path: "kind", label: "field.kind", type: "select", options: plain(MEETING_KINDS) },
    { path: "title", label: "field.title" },
    { path: "startsAt", label: "field.startsAt", placeholder: WHEN },
    { path: "endsAt", label: "field.endsAt", placeholder: WHEN },
    { path: "timeZone", label: "field.timeZone", placeholder: "Europe/Rome" },
    { path: "venue.city", label: "field.venue.city" },
    { path: "venue.country", label: "field.venue.country", placeholder: "IT" },
    { path: "venue.name", label: "field.venue.name" },
    {
      path: "audience",
      label: "field.audience",
      type: "select",
      options: plain(["steering-committee", "all", "countries"]),
    },
    {
      path: "audience.countries",
      label: "field.audience.countries",
      list: true,
      placeholder: "DE, FR, IT",
      when: { path: "audience", value: "countries" },
    },
    { path: "description", label: "field.description", type: "textarea" },
    { path: "agendaUrl", label: "field.agendaUrl", placeholder: "https://" },
  ],
  "Meeting Rescheduled": [
    { path: "meetingId", label: "field.meetingId" },
    { path: "startsAt", label: "field.startsAt", placeholder: WHEN },
    { path: "endsAt", label: "field.endsAt", placeholder: WHEN },
    { path: "timeZone", label: "field.timeZone" },
    { path: "venue.city", label: "field.venue.city" },
    { path: "venue.country", label: "field.venue.country" },
    { path: "venue.name", label: "field.venue.name" },
    { path: "reason", label: "field.reason" },
  ],
  "Meeting Cancelled": [
    { path: "meetingId", label: "field.meetingId" },
    { path: "reason", label: "field.reason" },
  ],
  "Chair Designated": [
    { path: "country", label: "field.country", type: "select", options: stateOptions },
    { path: "takesOfficeOn", label: "field.takesOfficeOn", placeholder: "YYYY-MM-DD" },
  ],
  "Chair Handover": [
    { path: "from", label: "field.from", type: "select", options: stateOptions },
    { path: "to", label: "field.to", type: "select", options: stateOptions },
    { path: "effectiveOn", label: "field.effectiveOn", placeholder: "YYYY-MM-DD" },
    { path: "meetingId", label: "field.meetingId" },
  ],
  "Contact Upserted": [
    { path: "contactId", label: "field.contactId" },
    { path: "name", label: "field.name" },
    { path: "email", label: "field.email" },
    { path: "memberState", label: "field.memberState", type: "select", options: stateOptions },
    {
      path: "organisation",
      label: "field.organisation",
      type: "select",
      options: organisationOptions,
    },
    { path: "roles", label: "field.roles", list: true, placeholder: CONTACT_ROLES.join(", ") },
    { path: "language", label: "field.language", type: "select", options: plain(LANGUAGES) },
    { path: "timeZone", label: "field.timeZone" },
    {
      path: "reminders",
      label: "field.reminders",
      type: "select",
      options: plain(["yes", "no"]),
      boolean: true,
    },
  ],
  "Contact Removed": [{ path: "contactId", label: "field.contactId" }],
};

type Values = Record<string, string>;

function visible(field: FieldSpec, values: Values): boolean {
  return field.when === undefined || values[field.when.path] === field.when.value;
}

/** The detail the form's values make: empty fields are left out, as the contract's optionals. */
export function detailOf(fields: FieldSpec[], values: Values): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.path] ?? "";
    if (!visible(field, values) || raw.trim() === "") continue;
    if (field.path === "audience") {
      if (raw !== "countries") detail.audience = raw;
      continue;
    }
    const value = field.list
      ? raw
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean)
      : field.boolean
        ? raw === "yes"
        : raw;
    const parts = field.path.split(".");
    let target = detail;
    for (const part of parts.slice(0, -1)) {
      target[part] = (target[part] as Record<string, unknown> | undefined) ?? {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1) ?? field.path] = value;
  }
  return detail;
}

/** The form's values for a detail (to correct a rejected event, or edit a contact). */
export function valuesOf(fields: FieldSpec[], detail: unknown): Values {
  const values: Values = {};
  const source = (typeof detail === "object" && detail !== null ? detail : {}) as Record<
    string,
    unknown
  >;
  for (const field of fields) {
    const value = field.path
      .split(".")
      .reduce<unknown>(
        (node, part) =>
          typeof node === "object" && node !== null
            ? (node as Record<string, unknown>)[part]
            : undefined,
        source,
      );
    if (value === undefined || value === null) continue;
    if (field.path === "audience") {
      values.audience = typeof value === "string" ? value : "countries";
    } else if (Array.isArray(value)) values[field.path] = value.join(", ");
    else if (typeof value === "boolean") values[field.path] = value ? "yes" : "no";
    else values[field.path] = String(value);
  }
  return values;
}

/** Each problem beside the field it is about: the longest field path the issue's path starts with. */
export function errorsByField(
  fields: FieldSpec[],
  issues: { path: string; message: string }[],
): { byField: Values; general: string[] } {
  const byField: Values = {};
  const general: string[] = [];
  for (const issue of issues) {
    const field = [...fields]
      .sort((a, b) => b.path.length - a.path.length)
      .find(
        (candidate) => issue.path === candidate.path || issue.path.startsWith(`${candidate.path}.`),
      );
    if (field === undefined)
      general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    else byField[field.path] ??= issue.message;
  }
  return { byField, general };
}

export function validate(contractEvent: ContractEvent, fields: FieldSpec[], values: Values) {
  const parsed = contractEvent.schema.safeParse(detailOf(fields, values));
  if (parsed.success) return { byField: {}, general: [] };
  return errorsByField(
    fields,
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message:
        issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message,
    })),
  );
}

interface Preview {
  language: string;
  recipients: number;
  subject: string;
  text: string;
  html: string;
}

/**
 * The email's HTML body as the composer made it (every value in it escaped by the composer); the
 * console's CSP runs no script and no inline handler that could be in it.
 */
function EmailBody(props: { html: string }) {
  const email = new DOMParser().parseFromString(props.html, "text/html");
  return (
    <div
      class="email"
      lang={email.documentElement.lang}
      dir={(email.documentElement.dir || "auto") as "ltr" | "rtl" | "auto"}
      dangerouslySetInnerHTML={{ __html: email.body.innerHTML }}
    />
  );
}

export function EventForm(props: {
  detailType: string;
  api: Api;
  canPut: boolean;
  initial?: unknown;
  withPreview?: boolean;
  title: string;
  onPut?: (eventId: string) => void;
}) {
  const t = useT();
  const fields = FORMS[props.detailType] ?? [];
  const contractEvent = findContractEvent(props.detailType);
  const defaults: Values = Object.fromEntries(
    fields
      .filter((field) => field.type === "select")
      .map((field) => [field.path, field.options?.[0]?.value ?? ""]),
  );
  const [values, setValues] = useState<Values>({ ...defaults, ...valuesOf(fields, props.initial) });
  const [errors, setErrors] = useState<{ byField: Values; general: string[] }>({
    byField: {},
    general: [],
  });
  const [previews, setPreviews] = useState<Preview[]>([]);
  const [putId, setPutId] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (contractEvent === undefined) return null;
  const id = (path: string) =>
    `${props.detailType.replaceAll(" ", "-")}-${path.replaceAll(".", "-")}`;

  const check = () => {
    const found = validate(contractEvent, fields, values);
    setErrors(found);
    return Object.keys(found.byField).length === 0 && found.general.length === 0;
  };
  const send = async (path: "/api/preview" | "/api/events") => {
    if (!check()) return;
    setBusy(true);
    try {
      const event = { detailType: props.detailType, detail: detailOf(fields, values) };
      if (path === "/api/preview") {
        setPreviews(await props.api.post<Preview[]>(path, event));
      } else {
        const answer = await props.api.post<{ results: { eventId?: string }[] }>(path, {
          events: [event],
        });
        const eventId = answer.results[0]?.eventId ?? "";
        setPutId(eventId);
        props.onPut?.(eventId);
      }
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(
          error.issues.length > 0
            ? errorsByField(fields, error.issues)
            : { byField: {}, general: [error.message] },
        );
      } else throw error;
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="event-form"
      aria-label={props.title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void send("/api/events");
      }}
    >
      <h3>{props.title}</h3>
      {fields
        .filter((field) => visible(field, values))
        .map((field) => {
          const error = errors.byField[field.path];
          const common = {
            id: id(field.path),
            name: field.path,
            value: values[field.path] ?? "",
            "aria-invalid": error === undefined ? undefined : ("true" as const),
            "aria-describedby": error === undefined ? undefined : `${id(field.path)}-error`,
            onInput: (event: Event) =>
              setValues({
                ...values,
                [field.path]: (event.currentTarget as HTMLInputElement).value,
              }),
          };
          return (
            <div class={`field${error === undefined ? "" : " invalid"}`} key={field.path}>
              <label for={id(field.path)}>{t(field.label)}</label>
              {field.type === "select" ? (
                <select {...common} onChange={common.onInput}>
                  {(field.options ?? []).map((option) => (
                    <option value={option.value} key={option.value}>
                      {field.path === "audience"
                        ? t(`audience.${option.value}` as MessageKey)
                        : option.label}
                    </option>
                  ))}
                </select>
              ) : field.type === "textarea" ? (
                <textarea {...common} rows={3} />
              ) : (
                <input type="text" {...common} placeholder={field.placeholder} />
              )}
              {error === undefined ? null : (
                <p class="error" id={`${id(field.path)}-error`}>
                  {t(field.label)}: {error}
                </p>
              )}
            </div>
          );
        })}
      {errors.general.length > 0 ? (
        <div class="error" role="alert">
          {errors.general.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      ) : Object.keys(errors.byField).length > 0 ? (
        <p class="error" role="alert">
          {t("form.fix")}
        </p>
      ) : null}
      <div class="actions">
        {props.withPreview ? (
          <button type="button" disabled={busy} onClick={() => void send("/api/preview")}>
            {t("form.preview")}
          </button>
        ) : null}
        {props.canPut ? (
          <button type="submit" class="primary" disabled={busy}>
            {t("form.put")}
          </button>
        ) : null}
      </div>
      {putId === undefined ? null : (
        <p role="status" class="done">
          {t("form.put.done")} <code>{putId}</code>
        </p>
      )}
      {previews.map((preview) => (
        <section
          class="preview"
          key={preview.language}
          aria-label={`${t("form.previewFor")} ${preview.language}`}
        >
          <h4>
            {t("form.previewFor")} {preview.language} ({preview.recipients}{" "}
            {t("form.previewContacts")})
          </h4>
          <p dir="auto" lang={preview.language}>
            <strong>{preview.subject}</strong>
          </p>
          <EmailBody html={preview.html} />
          <details>
            <summary>{t("form.previewText")}</summary>
            <pre dir="auto">{preview.text}</pre>
          </details>
        </section>
      ))}
    </form>
  );
}
