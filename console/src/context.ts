import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api, Session } from "./api.js";
import { type ConsoleLanguage, type MessageKey, translate } from "./i18n.js";

export interface ConsoleContext {
  language: ConsoleLanguage;
  api: Api;
  session: Session;
}

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (context === undefined) throw new Error("useConsole outside the signed-in console");
  return context;
}

export const Language = createContext<ConsoleLanguage>("en");

export function useT() {
  const language = useContext(Language);
  return (key: MessageKey, values?: Record<string, string | number>) =>
    translate(language, key, values);
}
