import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { type ChairView, countryLabel, type MeetingSummary } from "../views.js";

interface Overview {
  meetings: {
    meeting: MeetingSummary;
    memberStates: number;
    reached: number;
    accepted: number;
    declined: number;
    sending: boolean;
  }[];
  chair: ChairView;
  rejected: number;
}

export function OverviewPage() {
  const t = useT();
  const { language } = useConsole();
  const { data } = useApi<Overview>("/api/overview", (overview) =>
    overview.meetings.some((meeting) => meeting.sending) ? 3000 : undefined,
  );
  if (data === undefined) return <p>{t("loading")}</p>;
  return (
    <>
      <h1>{t("nav.overview")}</h1>
      <section aria-labelledby="upcoming">
        <h2 id="upcoming">{t("overview.upcoming")}</h2>
        {data.meetings.length === 0 ? (
          <p>{t("overview.none")}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("col.meeting")}</th>
                <th scope="col">{t("col.starts")}</th>
                <th scope="col">{t("overview.reached")}</th>
                <th scope="col">{t("col.accepted")}</th>
                <th scope="col">{t("col.declined")}</th>
              </tr>
            </thead>
            <tbody>
              {data.meetings.map((row) => (
                <tr key={row.meeting.meetingId}>
                  <td>
                    <a href={`#/meetings/${encodeURIComponent(row.meeting.meetingId)}`}>
                      {row.meeting.title}
                    </a>
                  </td>
                  <td>
                    {row.meeting.startsAt.replace("T", " ")} {row.meeting.timeZone}
                  </td>
                  <td>
                    {row.reached} / {row.memberStates} {row.sending ? t("overview.sending") : ""}
                  </td>
                  <td>{row.accepted}</td>
                  <td>{row.declined}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="chair">
        <h2 id="chair">{t("overview.chair")}</h2>
        <p>
          {t("chair.current")}: {countryLabel(data.chair.current, language)} ({t("chair.since")}{" "}
          {data.chair.since})
        </p>
        <p>
          {t("chair.upcoming")}:{" "}
          {data.chair.upcoming === "TBC"
            ? t("chair.tbc")
            : countryLabel(data.chair.upcoming.country, language)}
        </p>
      </section>
      <section aria-labelledby="waiting">
        <h2 id="waiting">{t("overview.rejected")}</h2>
        <p>
          <a href="#/rejected">
            {data.rejected} {t("nav.rejected").toLowerCase()}
          </a>
        </p>
      </section>
    </>
  );
}
