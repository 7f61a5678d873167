// An analyst signs in, sees the round tracker (GMB accepted) and the published versions, downloads the
// latest dataset and its English summary.
import { base, lang, need, check, context, signIn, shot, downloadXlsx, download, run } from './lib.mjs';

const token = need('JVAP_ANALYST_TOKEN');
const fr = lang === 'fr';

await run(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, token);
  await page.locator('#tracker').waitFor();
  const gmb = page.locator('section[aria-labelledby="tracker"] tbody tr', { hasText: 'GMB' });
  check(await gmb.count() === 1, 'GMB is not in the tracker');
  const gmbState = await gmb.locator('.state').innerText();
  check(gmbState.includes(fr ? 'Accepté' : 'Accepted'), `GMB is "${gmbState}" in the tracker`);
  await page.locator('#datasets').waitFor();
  const latest = page.locator('tbody tr', { hasText: fr ? 'la plus récente' : 'latest' });
  check(await latest.count() === 1, 'no latest version listed');
  await shot(page, 'analyst');
  await downloadXlsx(page, latest.getByRole('link', { name: /^dataset\.xlsx/ }), 'dataset.xlsx');
  const summary = await download(page, latest.getByRole('link', { name: /^summary\.en\.html/ }), 'summary.en.html');
  check(summary.includes('<html lang="en">'), `the English summary is not an English HTML page: ${summary.slice(0, 200)}`);
  await page.goto(base + '/submissions');
  check(await page.locator('table tbody tr').count() >= 1, 'the analyst sees no submission');
  await shot(page, 'analyst-submissions');
  // The API reference, reached from the footer of every page.
  await page.getByRole('link', { name: fr ? 'API HTTP' : 'HTTP API' }).click();
  await page.locator('h1', { hasText: fr ? 'API HTTP' : 'HTTP API' }).waitFor();
  check(await page.locator('code', { hasText: 'POST /api/v1/submissions' }).count() >= 1,
    'the API page does not show the upload operation');
  await shot(page, 'api', false);
});
