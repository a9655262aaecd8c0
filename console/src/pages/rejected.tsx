import { useState } from "preact/hooks";
import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { EventForm, FORMS } from "../forms.js";

interface RejectedEvent {
  eventId: string;
  eventTime: string;
  detailType: string;
  reason: string;
  event: string;
}

function parsed(text: string): { detail?: unknown; resources?: string[] } {
  try {
    return JSON.parse(text) as { detail?: unknown; resources?: string[] };
  } catch {
    return {};
  }
}

function putBy(resources: string[] | undefined): string | undefined {
  const resource = (resources ?? []).find((candidate) => candidate.includes(":kp-console:"));
  const name = resource?.split(":user/")[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}

export function RejectedPage() {
  const t = useT();
  const { api, session } = useConsole();
  const { data } = useApi<RejectedEvent[]>("/api/rejected");
  const [correcting, setCorrecting] = useState<RejectedEvent>();
  if (data === undefined) return <p>{t("loading")}</p>;
  return (
    <>
      <h1>{t("nav.rejected")}</h1>
      {data.length === 0 ? <p>{t("rejected.none")}</p> : null}
      <ul class="rejected">
        {data.map((item) => {
          const event = parsed(item.event);
          const who = putBy(event.resources);
          return (
            <li key={item.eventId}>
              <p>
                <strong>{item.detailType}</strong> · {item.eventTime} · <code>{item.eventId}</code>
                {who === undefined ? "" : ` · ${t("rejected.putBy")} ${who}`}
              </p>
              <p class="reason">{item.reason}</p>
              {session.role === "officer" && FORMS[item.detailType] !== undefined ? (
                <button type="button" onClick={() => setCorrecting(item)}>
                  {t("rejected.correct")}
                </button>
              ) : null}
              {correcting?.eventId === item.eventId ? (
                <EventForm
                  detailType={item.detailType}
                  title={`${t("rejected.correct")}: ${item.detailType}`}
                  api={api}
                  canPut
                  withPreview={item.detailType.startsWith("Meeting")}
                  initial={event.detail}
                />
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
