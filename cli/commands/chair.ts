import { currentChair } from "../../shared/domain/chair.js";
import { countryName } from "../../shared/notices/render.js";
import type { Target } from "../target.js";
import { type Io, stateRepositories } from "./shared.js";

export async function chair(target: () => Target, io: Io, json: boolean): Promise<number> {
  const state = await currentChair(stateRepositories(target()).chair);
  if (json) {
    io.out(JSON.stringify(state));
    return 0;
  }
  const name = (code: string) => countryName(code, "en");
  const upcoming =
    state.upcoming === "TBC"
      ? "TBC"
      : `${name(state.upcoming.country)}${state.upcoming.takesOfficeOn ? ` (takes office on ${state.upcoming.takesOfficeOn})` : ""}`;
  io.out(`Current Chair   ${name(state.current)} (since ${state.since})`);
  io.out(`Upcoming Chair  ${upcoming}`);
  io.out("History");
  for (const handover of state.history) {
    io.out(
      `  ${handover.effectiveOn}  ${name(handover.from)} → ${name(handover.to)}${handover.meetingId ? `  at ${handover.meetingId}` : ""}`,
    );
  }
  return 0;
}
