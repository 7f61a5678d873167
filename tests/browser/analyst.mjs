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
  // The page opens on the answer: the headline counts, then who needs attention first.
  const fact = async (key) => (await page.locator(`#headline-facts dd[data-fact="${key}"]`).innerText()).trim();
  check(Number(await fact('expected')) > 1, `expected partners: ${await fact('expected')}`);
  check(Number(await fact('accepted')) >= 1, `accepted partners: ${await fact('accepted')}`);
  check(Number(await fact('missing')) >= 1, `partners that sent nothing: ${await fact('missing')}`);
  check(/^\d+[.,]\d %$/.test(await fact('rate')), `response rate: ${await fact('rate')}`);
  check(await page.locator('h2#headline').innerText() === (fr ? 'La collecte en bref' : 'The round at a glance'),
    'the headline is not in the page language');
  const states = await page.locator('#tracker-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.state));
  check(states[0] === 'not_submitted' && states[states.length - 1] === 'accepted',
    `the tracker is not ordered by what needs attention: ${states.join(',')}`);
  await page.locator('a[href="/?state=accepted#tracker"]').click();
  await page.waitForURL(/state=accepted/);
  const accepted = await page.locator('#tracker-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.state));
  check(accepted.length >= 1 && accepted.every((s) => s === 'accepted'), `the filter shows ${accepted.join(',')}`);
  check(await page.locator('#tracker-table tbody tr[data-partner="GMB"]').count() === 1, 'GMB is not among the accepted');
  await page.locator('a[href="/?state=not_submitted#tracker"]').click();
  await page.waitForURL(/state=not_submitted/);
  check(await page.locator('#tracker-table tbody tr[data-partner="GMB"]').count() === 0, 'GMB shows as not submitted');
  // The largest contributors, with their shares of the round.
  const gmbShare = page.locator('#contributors-table tr[data-partner="GMB"] td');
  check(await gmbShare.count() === 4, 'GMB is not among the largest contributors');
  const share = await gmbShare.nth(1).innerText();
  check(/^\d+[.,]\d %$/.test(share.trim()), `GMB's share of initiatives: ${share}`);
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
