import { useCallback, useEffect, useState } from "preact/hooks";
import { useConsole } from "./context.js";

/** Reads an API path; `refreshMs` reads it again while the page is open. */
export function useApi<T>(path: string, refreshMs?: (data: T) => number | undefined) {
  const { api } = useConsole();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    api.get<T>(path).then(
      (answer) => {
        setData(answer);
        setError(undefined);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [api, path]);
  useEffect(load, [load]);
  const interval = data === undefined ? undefined : refreshMs?.(data);
  useEffect(() => {
    if (interval === undefined) return;
    const timer = setInterval(load, interval);
    return () => clearInterval(timer);
  }, [interval, load]);
  return { data, error, reload: load };
}
