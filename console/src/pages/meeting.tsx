import { memberStates } from "../../../shared/reference/index.js";
import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { EventForm } from "../forms.js";
import { CoverageMap, type Reach } from "../map.js";
import { countryLabel, type MeetingSummary } from "../views.js";

interface CoverageRow {
  represents: string;
  kind: string;
  contacts: number;
  notified: number;
  delivered: number;
  bounced: number;
  notSent: number;
  flagged: boolean;
  attendance: { accepted: number; tentative: number; declined: number; noAnswer: number };
}

interface MeetingPageData {
  meeting: MeetingSummary;
  coverage: { rows: CoverageRow[]; flaggedMemberStates: string[] };
  notices: {
    noticeId: string;
    kind: string;
    recipients: number;
    status: Record<string, number>;
    complete: boolean;
  }[];
}

function reachOf(row: CoverageRow): Reach {
  if (row.delivered > 0) return "reached";
  if (row.notified > 0) return "notified";
  return row.contacts === 0 ? "noContact" : "none";
}

export function MeetingPage(props: { meetingId: string }) {
  const t = useT();
  const { api, session, language } = useConsole();
  const { data, error } = useApi<MeetingPageData>(
    `/api/meetings/${encodeURIComponent(props.meetingId)}`,
    // While a notice is still being sent, and until its deliveries are in, read again.
    (page) =>
      page.notices.some((notice) => !notice.complete) ||
      page.coverage.rows.some((row) => row.notified > row.delivered + row.bounced)
        ? 2000
        : undefined,
  );
  if (error !== undefined) return <p role="alert">{t("meeting.notFound")}</p>;
  if (data === undefined) return <p>{t("loading")}</p>;
  const { meeting, coverage, notices } = data;
  const sending = notices.some((notice) => !notice.complete);
  const reach: Record<string, Reach> = {};
  for (const row of coverage.rows)
    if (row.kind === "member-state") reach[row.represents] = reachOf(row);
  const names = Object.fromEntries(
    memberStates.map((state) => [state.code, countryLabel(state.code, language)]),
  );
  const label = (row: CoverageRow) =>
    row.kind === "member-state" ? countryLabel(row.represents, language) : row.represents;
  return (
    <>
      <h1>{meeting.title}</h1>
      <p>
        <code>{meeting.meetingId}</code> · {meeting.status} · {meeting.startsAt.replace("T", " ")} –{" "}
        {meeting.endsAt.replace("T", " ")} {meeting.timeZone} · {meeting.venue.city}
      </p>
      {sending ? (
        <p role="status" class="refreshing">
          {t("meeting.refreshing")}
        </p>
      ) : null}
      <section aria-labelledby="coverage">
        <h2 id="coverage">{t("meeting.coverage")}</h2>
        <div class="coverage">
          <CoverageMap reach={reach} names={names} />
          <table class="coverage-table">
            <thead>
              <tr>
                <th scope="col">{t("col.represents")}</th>
                <th scope="col">{t("col.contacts")}</th>
                <th scope="col">{t("col.notified")}</th>
                <th scope="col">{t("col.delivered")}</th>
                <th scope="col">{t("col.bounced")}</th>
                <th scope="col">{t("col.notSent")}</th>
                <th scope="col">{t("col.accepted")}</th>
                <th scope="col">{t("col.declined")}</th>
                <th scope="col">{t("col.noAnswer")}</th>
              </tr>
            </thead>
            <tbody>
              {coverage.rows.map((row) => (
                <tr
                  key={row.represents}
                  data-represents={row.represents}
                  class={row.flagged ? "flagged" : ""}
                >
                  <th scope="row">
                    {row.flagged ? "⚠ " : ""}
                    {label(row)}
                  </th>
                  <td>{row.contacts}</td>
                  <td>{row.notified}</td>
                  <td data-column="delivered">{row.delivered}</td>
                  <td>{row.bounced}</td>
                  <td>{row.notSent}</td>
                  <td>{row.attendance.accepted}</td>
                  <td>{row.attendance.declined}</td>
                  <td>{row.attendance.noAnswer}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="notices">
        <h2 id="notices">{t("meeting.notices")}</h2>
        <ul>
          {notices.map((notice) => (
            <li key={notice.noticeId}>
              <code>{notice.noticeId}</code> ({notice.recipients}):{" "}
              {Object.entries(notice.status)
                .map(([status, count]) => `${count} ${status}`)
                .join(", ")}
            </li>
          ))}
        </ul>
      </section>
      {session.role === "officer" && meeting.status === "scheduled" ? (
        <section aria-label={t("meetings.reschedule")}>
          <EventForm
            detailType="Meeting Rescheduled"
            title={t("meetings.reschedule")}
            api={api}
            canPut
            withPreview
            initial={{
              meetingId: meeting.meetingId,
              startsAt: meeting.startsAt,
              endsAt: meeting.endsAt,
            }}
          />
          <EventForm
            detailType="Meeting Cancelled"
            title={t("meetings.cancel")}
            api={api}
            canPut
            withPreview
            initial={{ meetingId: meeting.meetingId }}
          />
        </section>
      ) : null}
    </>
  );
}
