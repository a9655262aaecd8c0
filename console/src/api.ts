/** How the console signs in and where its API is: /config.json, written by the deployment. */
export type ConsoleConfig =
  | { auth: "local"; apiUrl: string }
  | { auth: "cognito"; apiUrl: string; clientId: string; signInUrl: string; redirectUrl: string };

export interface Session {
  token: string;
  username: string;
  role: "officer" | "viewer";
  local: boolean;
}

export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

const SESSION_KEY = "kp-console-session";

export function storedSession(): Session | undefined {
  const text = sessionStorage.getItem(SESSION_KEY);
  return text === null ? undefined : (JSON.parse(text) as Session);
}

export function storeSession(session: Session | undefined): void {
  if (session === undefined) sessionStorage.removeItem(SESSION_KEY);
  else sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  return (await response.json()) as ConsoleConfig;
}

export class Api {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly session: Session,
    private readonly onExpired: () => void,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.config.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.session.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as {
      message?: string;
      issues?: { path: string; message: string }[];
    };
    if (response.status === 401) this.onExpired();
    if (!response.ok) {
      throw new ApiError(response.status, answer.message ?? response.statusText, answer.issues);
    }
    return answer as T;
  }
}

/** Local sign-in: one of the built-in users of `npm start`. */
export async function signInLocally(user: "officer" | "viewer"): Promise<Session> {
  const response = await fetch("/api/local/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new ApiError(response.status, "Local sign-in failed");
  const { token, username, role } = (await response.json()) as Omit<Session, "local">;
  return { token, username, role, local: true };
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Cognito's managed sign-in (authorization code with PKCE): off to the sign-in page. */
export async function startCognitoSignIn(
  config: Extract<ConsoleConfig, { auth: "cognito" }>,
): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem("kp-console-verifier", verifier);
  const url = new URL("/oauth2/authorize", config.signInUrl);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUrl,
    scope: "openid email profile",
    code_challenge_method: "S256",
    code_challenge: challenge,
  }).toString();
  location.assign(url.toString());
}

/** Back from the sign-in page with ?code=…: the ID token, whose claims name the user's group. */
export async function finishCognitoSignIn(
  config: Extract<ConsoleConfig, { auth: "cognito" }>,
  code: string,
): Promise<Session> {
  const response = await fetch(new URL("/oauth2/token", config.signInUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUrl,
      code_verifier: sessionStorage.getItem("kp-console-verifier") ?? "",
    }),
  });
  if (!response.ok) throw new ApiError(response.status, "Sign-in failed");
  const { id_token: token } = (await response.json()) as { id_token: string };
  const claims = JSON.parse(
    atob((token.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/")),
  ) as Record<string, unknown>;
  const groups = (claims["cognito:groups"] as string[] | undefined) ?? [];
  return {
    token,
    username: String(claims["cognito:username"] ?? claims.email ?? ""),
    role: groups.includes("officers") ? "officer" : "viewer",
    local: false,
  };
}
