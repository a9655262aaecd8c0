import { useState } from "preact/hooks";
import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { EventForm } from "../forms.js";
import type { MeetingSummary } from "../views.js";

export function MeetingsPage() {
  const t = useT();
  const { api, session } = useConsole();
  const { data, reload } = useApi<MeetingSummary[]>("/api/meetings");
  const [form, setForm] = useState<string>("Meeting Scheduled");
  const canPut = session.role === "officer";
  return (
    <>
      <h1>{t("nav.meetings")}</h1>
      <section aria-labelledby="meeting-list">
        <h2 id="meeting-list">{t("meetings.list")}</h2>
        {data === undefined ? (
          <p>{t("loading")}</p>
        ) : data.length === 0 ? (
          <p>{t("meetings.none")}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("col.meeting")}</th>
                <th scope="col">{t("col.starts")}</th>
                <th scope="col">{t("col.city")}</th>
                <th scope="col">{t("col.status")}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((meeting) => (
                <tr key={meeting.meetingId}>
                  <td>
                    <a href={`#/meetings/${encodeURIComponent(meeting.meetingId)}`}>
                      {meeting.title}
                    </a>{" "}
                    <code>{meeting.meetingId}</code>
                  </td>
                  <td>
                    {meeting.startsAt.replace("T", " ")} {meeting.timeZone}
                  </td>
                  <td>{meeting.venue.city}</td>
                  <td>{meeting.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-label={t("meetings.schedule")}>
        <fieldset class="tabs">
          <legend class="visually-hidden">{t("meetings.list")}</legend>
          {(["Meeting Scheduled", "Meeting Rescheduled", "Meeting Cancelled"] as const).map(
            (detailType) => (
              <button
                type="button"
                key={detailType}
                aria-pressed={form === detailType}
                onClick={() => setForm(detailType)}
              >
                {t(
                  detailType === "Meeting Scheduled"
                    ? "meetings.schedule"
                    : detailType === "Meeting Rescheduled"
                      ? "meetings.reschedule"
                      : "meetings.cancel",
                )}
              </button>
            ),
          )}
        </fieldset>
        <EventForm
          key={form}
          detailType={form}
          title={form}
          api={api}
          canPut={canPut}
          withPreview
          onPut={() => setTimeout(reload, 1000)}
        />
      </section>
    </>
  );
}
