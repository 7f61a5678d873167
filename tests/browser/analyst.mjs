// An analyst signs in, sees the published versions and downloads the latest dataset.
import { base, lang, need, check, context, signIn, shot, downloadXlsx, run } from './lib.mjs';

const token = need('JVAP_ANALYST_TOKEN');
const fr = lang === 'fr';

await run(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, token);
  await page.locator('#datasets').waitFor();
  const latest = page.locator('tbody tr', { hasText: fr ? 'la plus récente' : 'latest' });
  check(await latest.count() === 1, 'no latest version listed');
  await shot(page, 'analyst');
  await downloadXlsx(page, latest.getByRole('link', { name: /XLSX/ }), 'dataset.xlsx');
  await page.goto(base + '/submissions');
  check(await page.locator('table tbody tr').count() >= 1, 'the analyst sees no submission');
  await shot(page, 'analyst-submissions');
  // The API reference, reached from the footer of every page.
  await page.getByRole('link', { name: fr ? 'API HTTP' : 'HTTP API' }).click();
  await page.locator('h1', { hasText: fr ? 'API HTTP' : 'HTTP API' }).waitFor();
  check(await page.locator('code', { hasText: 'POST /api/v1/submissions' }).count() >= 1,
    'the API page does not show the upload operation');
  await shot(page, 'api');
});
