import type { ComponentChildren } from "preact";
import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { type ChairView, countryLabel, type MeetingSummary } from "../views.js";

type DeadLetters = { total: number; byQueue: Record<string, number> } | { unavailable: string };
type Ses =
  | {
      sandbox: boolean;
      sendingEnabled: boolean;
      /** -1: no daily limit. */
      max24HourSend: number;
      sentLast24Hours: number;
      /** 0: no rate limit. */
      maxSendRate: number;
    }
  | { unavailable: string };

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
  deadLetters: DeadLetters;
  ses: Ses;
}

/** A warning says so in words, not in colour only. */
function Warning({ children }: { children: ComponentChildren }) {
  const t = useT();
  return (
    <div class="warning">
      <strong>{t("health.attention")}</strong> {children}
    </div>
  );
}

function DeadLettersPart({ deadLetters }: { deadLetters: DeadLetters }) {
  const t = useT();
  if ("unavailable" in deadLetters) {
    return (
      <Warning>{t("health.deadLetters.unavailable", { reason: deadLetters.unavailable })}</Warning>
    );
  }
  if (deadLetters.total === 0) return <p>{t("health.deadLetters.none")}</p>;
  const queues = Object.entries(deadLetters.byQueue)
    .filter(([, messages]) => messages > 0)
    .map(([queue, messages]) => `${queue} ${messages}`)
    .join(", ");
  return (
    <Warning>
      {t("health.deadLetters.waiting", { total: deadLetters.total, queues })}
      <p>{t("health.deadLetters.explain")}</p>
    </Warning>
  );
}

function SesPart({ ses }: { ses: Ses }) {
  const t = useT();
  if ("unavailable" in ses) {
    return <Warning>{t("health.ses.unavailable", { reason: ses.unavailable })}</Warning>;
  }
  const quota = t("health.ses.quota", {
    sent: ses.sentLast24Hours,
    daily:
      ses.max24HourSend < 0
        ? t("health.ses.noDaily")
        : t("health.ses.daily", { max: ses.max24HourSend }),
    rate:
      ses.maxSendRate > 0
        ? t("health.ses.rate", { rate: ses.maxSendRate })
        : t("health.ses.noRate"),
  });
  return (
    <>
      {ses.sandbox ? (
        <Warning>{t("health.ses.sandbox")}</Warning>
      ) : (
        <p>{t("health.ses.production")}</p>
      )}
      {ses.sendingEnabled ? null : <Warning>{t("health.ses.disabled")}</Warning>}
      <p>{quota}</p>
    </>
  );
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
      <section aria-labelledby="health">
        <h2 id="health">{t("health.title")}</h2>
        <h3 id="dead-letters">{t("health.deadLetters")}</h3>
        <DeadLettersPart deadLetters={data.deadLetters} />
        <h3 id="ses">{t("health.ses")}</h3>
        <SesPart ses={data.ses} />
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
