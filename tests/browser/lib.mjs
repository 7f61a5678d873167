// Shared by the browser scripts: Debian's Chromium (never a downloaded browser), sign-in, checks and
// screenshots. Every script reads its inputs from JVAP_* variables set by tests/tests/browser.rs.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const base = need('JVAP_BASE_URL');
export const lang = process.env.JVAP_LANG || 'en';

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
}

/// What the pages' Content-Security-Policy refused, over every page of the run: must stay empty.
const refused = [];

/// A fresh browser profile whose Accept-Language is the test's language; every page of it reports
/// what the Content-Security-Policy refused.
export async function context(browser, options = {}) {
  const ctx = await browser.newContext({
    locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    acceptDownloads: true,
    viewport: { width: 1100, height: 800 },
    ...options,
  });
  ctx.on('page', (page) => page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(`${page.url()}: ${message.text()}`);
  }));
  return ctx;
}

/// Sign in with a token on the home page and land on the role's page.
export async function signIn(page, token) {
  const response = await page.goto(base + '/');
  check(response.ok(), `the sign-in page answered ${response.status()}`);
  check(await page.getAttribute('html', 'lang') === lang, `the page is not in ${lang}`);
  await page.getByLabel(lang === 'fr' ? "Jeton d'accès" : 'Access token').fill(token);
  await page.getByRole('button', { name: lang === 'fr' ? 'Se connecter' : 'Sign in' }).click();
  await page.locator('form[action="/signout"]').waitFor({ timeout: 15000 });
}

/// A screenshot in docs/screenshots/<lang>-<name>.png when JVAP_SCREENSHOTS=1: the full page, or only
/// the window for very long pages (`fullPage = false`).
export async function shot(page, name, fullPage = true) {
  if (process.env.JVAP_SCREENSHOTS !== '1') return;
  const dir = need('JVAP_SCREENSHOT_DIR');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${lang}-${name}.png`), fullPage });
}

/// Click a download link, save the file, and check it is an xlsx (a zip: starts with PK).
export async function downloadXlsx(page, link, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = join(need('JVAP_DOWNLOAD_DIR'), `${lang}-${name}`);
  await download.saveAs(path);
  const bytes = readFileSync(path);
  check(bytes.length > 1000 && bytes[0] === 0x50 && bytes[1] === 0x4b,
    `${name} is not an xlsx (${bytes.length} bytes)`);
  return path;
}

/// Click a download link, save the file, and return its text.
export async function download(page, link, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = join(need('JVAP_DOWNLOAD_DIR'), `${lang}-${name}`);
  await file.saveAs(path);
  return readFileSync(path, 'utf8');
}

/// Run `main` with a browser, always closing it; a failure exits 1 with its message.
export async function run(main) {
  const browser = await launch();
  try {
    await main(browser);
    check(refused.length === 0, `the Content-Security-Policy refused: ${refused.join('; ')}`);
    console.log('ok');
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
