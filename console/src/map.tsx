import { geoMercator, geoPath } from "d3-geo";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { useEffect, useState } from "preact/hooks";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import worldUrl from "world-atlas/countries-50m.json?url";
import { useT } from "./context.js";

/** ISO 3166-1 numeric codes (Natural Earth's ids in world-atlas) of the 40 member states. */
const NUMERIC: Record<string, string> = {
  AT: "040",
  BE: "056",
  BG: "100",
  HR: "191",
  CY: "196",
  CZ: "203",
  DK: "208",
  DJ: "262",
  EG: "818",
  ER: "232",
  EE: "233",
  ET: "231",
  FI: "246",
  FR: "250",
  DE: "276",
  GR: "300",
  HU: "348",
  IE: "372",
  IT: "380",
  KE: "404",
  LV: "428",
  LY: "434",
  LT: "440",
  LU: "442",
  MT: "470",
  NL: "528",
  NO: "578",
  PL: "616",
  PT: "620",
  RO: "642",
  SK: "703",
  SI: "705",
  SO: "706",
  SS: "728",
  ES: "724",
  SD: "729",
  SE: "752",
  CH: "756",
  TN: "788",
  UG: "800",
};
const CODE_OF = new Map(Object.entries(NUMERIC).map(([code, numeric]) => [numeric, code]));

export type Reach = "reached" | "notified" | "none" | "noContact" | "outside";
export const REACH_COLOURS: Record<Reach, string> = {
  reached: "#1b7837",
  notified: "#a6dba0",
  none: "#b2182b",
  noContact: "#f4a582",
  outside: "#d9d9d9",
};

let world: Promise<FeatureCollection<Geometry, { name: string }>> | undefined;
function loadWorld() {
  world ??= fetch(worldUrl)
    .then((response) => response.json() as Promise<Topology>)
    .then(
      (topology) =>
        feature(
          topology,
          topology.objects.countries as GeometryCollection<{ name: string }>,
        ) as FeatureCollection<Geometry, { name: string }>,
    );
  return world;
}

/** The member states coloured by how far the notices reached them (public-domain boundaries). */
export function CoverageMap(props: {
  reach: Record<string, Reach>;
  names: Record<string, string>;
}) {
  const t = useT();
  const [countries, setCountries] = useState<FeatureCollection<Geometry, { name: string }>>();
  useEffect(() => {
    void loadWorld().then(setCountries);
  }, []);
  if (countries === undefined) return <p>{t("loading")}</p>;
  const members = countries.features.filter((country) => CODE_OF.has(String(country.id)));
  const width = 640;
  const height = 560;
  // Europe and the Horn of Africa: the member states' mainland, not their overseas territories.
  const projection = geoMercator()
    .fitSize([width, height], {
      type: "MultiPoint",
      coordinates: [
        [-12, -5],
        [52, 71],
      ],
    })
    .clipExtent([
      [0, 0],
      [width, height],
    ]);
  const path = geoPath(projection);
  const around = countries.features.filter((country) => !CODE_OF.has(String(country.id)));
  const colour = (country: Feature) =>
    REACH_COLOURS[props.reach[CODE_OF.get(String(country.id)) ?? ""] ?? "outside"];
  return (
    <figure class="map">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("meeting.map")}>
        <title>{t("meeting.map")}</title>
        {around.map((country) => (
          <path
            key={String(country.id)}
            d={path(country) ?? ""}
            fill="#f2f2f2"
            stroke="#ccc"
            stroke-width="0.5"
          />
        ))}
        {members.map((country) => {
          const code = CODE_OF.get(String(country.id)) ?? "";
          return (
            <path
              key={code}
              data-code={code}
              data-reach={props.reach[code] ?? "outside"}
              d={path(country) ?? ""}
              fill={colour(country)}
              stroke="#333"
              stroke-width="0.6"
            >
              <title>{`${props.names[code] ?? code}: ${t(`legend.${props.reach[code] ?? "outside"}`)}`}</title>
            </path>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {(Object.keys(REACH_COLOURS) as Reach[]).map((reach) => (
            <li key={reach}>
              <span class="swatch" style={{ background: REACH_COLOURS[reach] }} />{" "}
              {t(`legend.${reach}`)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
