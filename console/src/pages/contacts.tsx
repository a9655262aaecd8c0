import { useState } from "preact/hooks";
import { CONTACT_ROLES } from "../../../shared/contract/index.js";
import { memberStates, organisations } from "../../../shared/reference/index.js";
import { ApiError } from "../api.js";
import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { EventForm } from "../forms.js";
import { countryLabel } from "../views.js";

interface Contact {
  contactId: string;
  name: string;
  email: string;
  memberState?: string;
  organisation?: string;
  roles: string[];
  language: string;
  timeZone?: string;
  reminders: boolean;
  suppressed?: { reason: string; at: string };
}

interface ImportPreview {
  events: { detailType: string; detail: Contact; label?: string }[];
  refused: { line: number; contactId?: string; reason: string }[];
}

function Filter(props: {
  id: string;
  label: string;
  value: string;
  options: string[][];
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ContactsPage() {
  const t = useT();
  const { api, session, language } = useConsole();
  const { data, reload } = useApi<Contact[]>("/api/contacts");
  const [search, setSearch] = useState("");
  const [state, setState] = useState("");
  const [organisation, setOrganisation] = useState("");
  const [role, setRole] = useState("");
  const [status, setStatus] = useState("");
  const [editing, setEditing] = useState<Contact | "new">();
  const [removing, setRemoving] = useState<Contact>();
  const [removed, setRemoved] = useState<string>();
  const [csv, setCsv] = useState("");
  const [preview, setPreview] = useState<ImportPreview>();
  const [imported, setImported] = useState<string>();
  const canPut = session.role === "officer";
  const any = [["", t("contacts.any")]];
  const shown = (data ?? []).filter((contact) => {
    const text = `${contact.name} ${contact.email} ${contact.contactId}`.toLowerCase();
    return (
      text.includes(search.toLowerCase()) &&
      (state === "" || contact.memberState === state) &&
      (organisation === "" || contact.organisation === organisation) &&
      (role === "" || contact.roles.includes(role)) &&
      (status === "" || (status === "suppressed") === (contact.suppressed !== undefined))
    );
  });
  const remove = async (contact: Contact) => {
    await api.post("/api/events", {
      events: [{ detailType: "Contact Removed", detail: { contactId: contact.contactId } }],
    });
    setRemoving(undefined);
    setRemoved(contact.contactId);
    setTimeout(reload, 1000);
  };
  const previewImport = async () => {
    setPreview(await api.post<ImportPreview>("/api/contacts/import-preview", { csv }));
  };
  const putImport = async () => {
    if (preview === undefined) return;
    try {
      const answer = await api.post<{ results: { eventId?: string }[] }>("/api/events", {
        events: preview.events.map(({ detailType, detail }) => ({ detailType, detail })),
      });
      setImported(`${answer.results.filter((result) => result.eventId).length}`);
      setTimeout(reload, 1000);
    } catch (error) {
      setImported(error instanceof ApiError ? error.message : String(error));
    }
  };
  return (
    <>
      <h1>{t("nav.contacts")}</h1>
      <div class="filters">
        <div class="field">
          <label for="contact-search">{t("contacts.search")}</label>
          <input
            id="contact-search"
            type="search"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </div>
        <Filter
          id="filter-state"
          label={t("contacts.filterState")}
          value={state}
          onChange={setState}
          options={[
            ...any,
            ...memberStates.map((member) => [member.code, countryLabel(member.code, language)]),
          ]}
        />
        <Filter
          id="filter-organisation"
          label={t("contacts.filterOrganisation")}
          value={organisation}
          onChange={setOrganisation}
          options={[...any, ...organisations.map((item) => [item.id, item.id])]}
        />
        <Filter
          id="filter-role"
          label={t("contacts.filterRole")}
          value={role}
          onChange={setRole}
          options={[...any, ...CONTACT_ROLES.map((item) => [item, item])]}
        />
        <Filter
          id="filter-status"
          label={t("contacts.filterStatus")}
          value={status}
          onChange={setStatus}
          options={[
            ...any,
            ["active", t("contacts.active")],
            ["suppressed", t("contacts.suppressedOnly")],
          ]}
        />
      </div>
      <p role="status">{t("contacts.count", { count: shown.length })}</p>
      {removed === undefined ? null : (
        <p role="status" class="done">
          {t("contacts.remove")}: <code>{removed}</code>
        </p>
      )}
      {canPut ? (
        <button type="button" onClick={() => setEditing("new")}>
          {t("contacts.add")}
        </button>
      ) : null}
      {editing === undefined ? null : (
        <EventForm
          key={editing === "new" ? "new" : editing.contactId}
          detailType="Contact Upserted"
          title={
            editing === "new" ? t("contacts.add") : `${t("contacts.edit")}: ${editing.contactId}`
          }
          api={api}
          canPut={canPut}
          initial={editing === "new" ? { language: "en", reminders: true } : editing}
          onPut={() => setTimeout(reload, 1000)}
        />
      )}
      {removing === undefined ? null : (
        <div
          role="alertdialog"
          aria-labelledby="remove-title"
          aria-describedby="remove-text"
          class="confirm"
        >
          <h2 id="remove-title">{t("contacts.remove")}</h2>
          <p id="remove-text">
            {t("contacts.removeConfirm", { name: removing.name, id: removing.contactId })}
          </p>
          <button type="button" class="danger" onClick={() => void remove(removing)}>
            {t("contacts.removeYes")}
          </button>
          <button type="button" onClick={() => setRemoving(undefined)}>
            {t("contacts.removeNo")}
          </button>
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t("col.name")}</th>
            <th scope="col">{t("col.email")}</th>
            <th scope="col">{t("col.represents")}</th>
            <th scope="col">{t("col.roles")}</th>
            <th scope="col">{t("col.language")}</th>
            <th scope="col">{t("col.suppressed")}</th>
            {canPut ? (
              <th scope="col">
                <span class="visually-hidden">{t("contacts.edit")}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((contact) => (
            <tr key={contact.contactId} data-contact={contact.contactId}>
              <td>
                {contact.name} <code>{contact.contactId}</code>
              </td>
              <td>{contact.email}</td>
              <td>
                {contact.memberState === undefined
                  ? contact.organisation
                  : countryLabel(contact.memberState, language)}
              </td>
              <td>{contact.roles.join(", ")}</td>
              <td>{contact.language}</td>
              <td>
                {contact.suppressed === undefined
                  ? t("no")
                  : `${t("yes")}: ${contact.suppressed.reason}`}
              </td>
              {canPut ? (
                <td>
                  <button
                    type="button"
                    onClick={() => setEditing(contact)}
                    aria-label={`${t("contacts.edit")} ${contact.name}`}
                  >
                    {t("contacts.edit")}
                  </button>{" "}
                  <button
                    type="button"
                    onClick={() => setRemoving(contact)}
                    aria-label={`${t("contacts.remove")} ${contact.name}`}
                  >
                    {t("contacts.remove")}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <section aria-labelledby="import">
        <h2 id="import">{t("contacts.import")}</h2>
        <div class="field">
          <label for="import-file">{t("contacts.importFile")}</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              setPreview(undefined);
              setImported(undefined);
              if (file !== undefined) void file.text().then(setCsv);
            }}
          />
        </div>
        <button type="button" disabled={csv === ""} onClick={() => void previewImport()}>
          {t("contacts.importPreview")}
        </button>
        {preview === undefined ? null : (
          <div class="import-preview">
            <p role="status">
              {preview.events.length} {t("contacts.importValid")}, {preview.refused.length}{" "}
              {t("contacts.importRefused")}
            </p>
            <table>
              <caption>{t("contacts.importValid")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("contacts.line")}</th>
                  <th scope="col">{t("col.name")}</th>
                  <th scope="col">{t("col.email")}</th>
                  <th scope="col">{t("col.represents")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.events.map((event) => (
                  <tr key={event.detail.contactId}>
                    <td>{event.label}</td>
                    <td>
                      {event.detail.name} <code>{event.detail.contactId}</code>
                    </td>
                    <td>{event.detail.email}</td>
                    <td>{event.detail.memberState ?? event.detail.organisation}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {preview.refused.length === 0 ? null : (
              <table class="refused">
                <caption>{t("contacts.importRefused")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("contacts.line")}</th>
                    <th scope="col">{t("field.contactId")}</th>
                    <th scope="col">{t("col.reason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.refused.map((row) => (
                    <tr key={row.line}>
                      <td>{row.line}</td>
                      <td>{row.contactId ?? ""}</td>
                      <td>{row.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {canPut && preview.events.length > 0 ? (
              <button type="button" class="primary" onClick={() => void putImport()}>
                {t("contacts.importPut", { count: preview.events.length })}
              </button>
            ) : null}
            {imported === undefined ? null : <p role="status">{imported}</p>}
          </div>
        )}
      </section>
    </>
  );
}
