import { useConsole, useT } from "../context.js";
import { useApi } from "../data.js";
import { EventForm } from "../forms.js";
import { type ChairView, countryLabel } from "../views.js";

export function ChairPage() {
  const t = useT();
  const { api, session, language } = useConsole();
  const { data } = useApi<ChairView>("/api/chair");
  if (data === undefined) return <p>{t("loading")}</p>;
  return (
    <>
      <h1>{t("nav.chair")}</h1>
      <p>
        {t("chair.current")}: <strong>{countryLabel(data.current, language)}</strong> (
        {t("chair.since")} {data.since})
      </p>
      <p>
        {t("chair.upcoming")}:{" "}
        {data.upcoming === "TBC"
          ? t("chair.tbc")
          : `${countryLabel(data.upcoming.country, language)}${data.upcoming.takesOfficeOn ? ` (${data.upcoming.takesOfficeOn})` : ""}`}
      </p>
      <section aria-labelledby="history">
        <h2 id="history">{t("chair.history")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("col.from")}</th>
              <th scope="col">{t("col.to")}</th>
              <th scope="col">{t("col.effectiveOn")}</th>
              <th scope="col">{t("col.meeting")}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((handover) => (
              <tr key={`${handover.effectiveOn}-${handover.to}`}>
                <td>{countryLabel(handover.from, language)}</td>
                <td>{countryLabel(handover.to, language)}</td>
                <td>{handover.effectiveOn}</td>
                <td>{handover.meetingId ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {session.role === "officer" ? (
        <>
          <EventForm detailType="Chair Designated" title={t("chair.designate")} api={api} canPut />
          <EventForm
            detailType="Chair Handover"
            title={t("chair.handover")}
            api={api}
            canPut
            initial={{ from: data.current }}
          />
        </>
      ) : null}
    </>
  );
}
