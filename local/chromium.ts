/**
 * How the project starts a browser: Debian's chromium (`apt-get install chromium`; playwright's
 * own browser download cannot reach the internet here), headless, with no background traffic
 * (the closed network would refuse it). `KP_CHROMIUM` names another binary. Used by the console's
 * browser tests, `npm run screenshots` and `npm run notices:pictures`.
 */
export const CHROMIUM = {
  executablePath: process.env.KP_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
