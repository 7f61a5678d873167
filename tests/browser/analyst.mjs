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
});
