import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  Api,
  type ConsoleConfig,
  finishCognitoSignIn,
  loadConfig,
  type Session,
  signInLocally,
  startCognitoSignIn,
  storedSession,
  storeSession,
} from "./api.js";
import { Console, Language } from "./context.js";
import { type ConsoleLanguage, translate } from "./i18n.js";
import { ChairPage } from "./pages/chair.js";
import { ContactsPage } from "./pages/contacts.js";
import { MeetingPage } from "./pages/meeting.js";
import { MeetingsPage } from "./pages/meetings.js";
import { OverviewPage } from "./pages/overview.js";
import { RejectedPage } from "./pages/rejected.js";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

function Page(props: { path: string }) {
  const meeting = /^\/meetings\/(.+)$/.exec(props.path);
  if (meeting !== null) return <MeetingPage meetingId={decodeURIComponent(meeting[1] ?? "")} />;
  switch (props.path) {
    case "/meetings":
      return <MeetingsPage />;
    case "/contacts":
      return <ContactsPage />;
    case "/chair":
      return <ChairPage />;
    case "/rejected":
      return <RejectedPage />;
    default:
      return <OverviewPage />;
  }
}

function SignIn(props: {
  config: ConsoleConfig;
  language: ConsoleLanguage;
  onSession: (session: Session) => void;
}) {
  const t = (key: Parameters<typeof translate>[1]) => translate(props.language, key);
  const config = props.config;
  return (
    <main class="sign-in">
      <h1>{t("signIn.title")}</h1>
      <p>{t("signIn.welcome")}</p>
      <p lang="ar" dir="rtl">
        {t("signIn.welcomeAr")}
      </p>
      {config.auth === "local" ? (
        <>
          <p class="local-note">{t("signIn.local")}</p>
          <button
            type="button"
            class="primary"
            onClick={() => void signInLocally("officer").then(props.onSession)}
          >
            {t("signIn.asOfficer")}
          </button>{" "}
          <button type="button" onClick={() => void signInLocally("viewer").then(props.onSession)}>
            {t("signIn.asViewer")}
          </button>
        </>
      ) : (
        <button type="button" class="primary" onClick={() => void startCognitoSignIn(config)}>
          {t("signIn.cognito")}
        </button>
      )}
    </main>
  );
}

function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [session, setSession] = useState<Session | undefined>(storedSession());
  const [language, setLanguage] = useState<ConsoleLanguage>(
    (localStorage.getItem("kp-console-language") as ConsoleLanguage | null) ?? "en",
  );
  useEffect(() => {
    void loadConfig().then(async (loaded) => {
      setConfig(loaded);
      const code = new URLSearchParams(location.search).get("code");
      if (loaded.auth === "cognito" && code !== null) {
        const signedIn = await finishCognitoSignIn(loaded, code);
        history.replaceState(null, "", "/");
        storeSession(signedIn);
        setSession(signedIn);
      }
    });
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translate(language, "app.title");
  }, [language]);
  const path = useHash();
  const signOut = () => {
    storeSession(undefined);
    setSession(undefined);
  };
  const api = useMemo(
    () =>
      config === undefined || session === undefined ? undefined : new Api(config, session, signOut),
    [config, session],
  );
  const t = (key: Parameters<typeof translate>[1]) => translate(language, key);
  const choose = (chosen: ConsoleLanguage) => {
    localStorage.setItem("kp-console-language", chosen);
    setLanguage(chosen);
  };
  const languagePicker = (
    <fieldset class="language">
      <legend class="visually-hidden">{t("nav.language")}</legend>
      {(["en", "fr"] as const).map((code) => (
        <button
          type="button"
          key={code}
          lang={code}
          aria-pressed={language === code}
          onClick={() => choose(code)}
        >
          {code === "en" ? "English" : "Français"}
        </button>
      ))}
    </fieldset>
  );
  if (config === undefined) return <p>{t("loading")}</p>;
  if (session === undefined || api === undefined) {
    return (
      <Language.Provider value={language}>
        <header class="top">
          <span class="brand">{t("app.title")}</span>
          {languagePicker}
        </header>
        {config.auth === "local" ? <div class="local-banner">{t("local.banner")}</div> : null}
        <SignIn
          config={config}
          language={language}
          onSession={(signedIn) => {
            storeSession(signedIn);
            setSession(signedIn);
          }}
        />
      </Language.Provider>
    );
  }
  const pages = [
    ["/", "nav.overview"],
    ["/meetings", "nav.meetings"],
    ["/contacts", "nav.contacts"],
    ["/chair", "nav.chair"],
    ["/rejected", "nav.rejected"],
  ] as const;
  return (
    <Language.Provider value={language}>
      <Console.Provider value={{ api, session, language }}>
        <header class="top">
          <span class="brand">{t("app.title")}</span>
          <nav aria-label="Console">
            {pages.map(([href, key]) => (
              <a key={href} href={`#${href}`} aria-current={path === href ? "page" : undefined}>
                {t(key)}
              </a>
            ))}
          </nav>
          {languagePicker}
          <span class="user">
            {session.username} · {t(session.role === "officer" ? "role.officer" : "role.viewer")}
          </span>
          <button type="button" onClick={signOut}>
            {t("nav.signOut")}
          </button>
        </header>
        {session.local ? <div class="local-banner">{t("local.banner")}</div> : null}
        <main>
          <Page path={path} />
        </main>
      </Console.Provider>
    </Language.Provider>
  );
}

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
