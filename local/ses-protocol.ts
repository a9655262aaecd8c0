import type { SentMessage, SesAccount } from "./ses-simulator.js";

/** What the SES process tells the runtime (over the fork's IPC channel). */
export type SesChildMessage =
  | { type: "listening"; port: number }
  | { type: "log"; line: string }
  /** A request to the API v1 endpoint, counted for the benchmark. */
  | { type: "request" }
  /** A send asks what `kp chaos` does with it. */
  | { type: "decide"; id: number }
  /** An accepted message: answered once its events are on the bus. */
  | { type: "sent"; id: number; message: SentMessage }
  | { type: "account"; id: number }
  /** A request kept unanswered (ses-timeout), and its connection closing. */
  | { type: "hold"; id: number }
  | { type: "closed"; id: number };

/** What the runtime tells the SES process. */
export type SesParentMessage =
  | {
      type: "answer";
      id: number;
      decision?: string;
      account?: SesAccount;
      error?: string;
    }
  /** The fault lifted: drop the held request's connection. */
  | { type: "release"; id: number }
  | { type: "stop" };
