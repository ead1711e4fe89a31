// Debian's chromium driven by playwright-core (no browser download), plus the page watchers
// the test asserts on: console errors, uncaught exceptions, and everything logged.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// The e2e test uses frontend/'s node_modules (one `npm ci` installs both).
const requireFromFrontend = createRequire(join(here, "..", "..", "..", "frontend", "package.json"));
const { chromium } = requireFromFrontend("playwright-core");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 780 };

export async function launch() {
  const executablePath = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`chromium not found at ${executablePath}: run \`apt-get install -y chromium\` (scripts/setup.sh test does) or set CHROMIUM_BIN`);
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, colorScheme: "light" });
  const page = await context.newPage();
  // Every step is quick on a local server; a missing element should fail fast, not after 30 s.
  page.setDefaultTimeout(10_000);
  const log = { console: [], errors: [] };
  page.on("console", (message) => log.console.push({ type: message.type(), text: message.text() }));
  page.on("pageerror", (error) => log.errors.push(String(error)));
  return { browser, context, page, log };
}
