// A partner signs in, checks a workbook with six errors without sending it (the report comes back,
// nothing is kept), a page's refusal says the server's reason in the page's language, then uploads it (with the script: drag-and-drop form, progress
// bar, live status), sees it rejected with its six cells, downloads the annotated workbook, then sends
// the corrected file from a browser without JavaScript (plain form, refreshing page) and sees it accepted.
// Then a file whose lead funder column has a header nobody reads as one: the partner confirms the
// column on the report page and sees the same file accepted; the next file with the same headers is
// accepted unasked, its page naming the column as confirmed.
import { base, lang, need, check, context, signIn, shot, downloadXlsx, download, run } from './lib.mjs';

const token = need('JVAP_TOKEN');
const rejected = need('JVAP_REJECTED_FILE');
const corrected = need('JVAP_CORRECTED_FILE');
const cells = need('JVAP_EXPECT_CELLS').split(',');
const mapping = need('JVAP_MAPPING_FILE');
const mappingNext = need('JVAP_MAPPING_NEXT_FILE');
const fr = lang === 'fr';

await run(async (browser) => {
  const page = await (await context(browser)).newPage();
  await page.goto(base + '/');
  await shot(page, 'signin');
  await signIn(page, token);
  await shot(page, 'partner-home');
  const api = (path) => fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });

  // Check only: the same checks as a submission, the report on a page, nothing kept.
  await page.getByLabel(fr ? 'Classeur' : 'Workbook').setInputFiles(rejected);
  await Promise.all([
    page.waitForURL(/\/check$/, { timeout: 60000 }),
    page.getByRole('button', { name: fr ? 'Vérifier seulement' : 'Check only' }).click(),
  ]);
  await page.locator('#check-result[data-verdict="rejected"]').waitFor({ timeout: 60000 });
  const intro = await page.locator('#check-result [role=status]').innerText();
  check(intro.includes(fr ? "rien n'a été conservé" : 'nothing was kept'), `the check does not say nothing was kept: ${intro}`);
  const verdict = await page.locator('#verdict').innerText();
  check(verdict.includes(fr ? 'Il serait refusé' : 'It would be rejected'), `the check's verdict reads: ${verdict}`);
  const checkedCells = await page.locator('#issues tbody tr td:nth-child(3)').allInnerTexts();
  check(cells.every((cell) => checkedCells.includes(cell)), `the check lists ${checkedCells}, expected ${cells}`);
  const checkedMessages = await page.locator('#issues tbody tr td:nth-child(6)').allInnerTexts();
  check(checkedMessages.some((m) => m.includes(fr ? 'adresse électronique' : 'e-mail address')),
    `the check's messages are not in ${lang}: ${checkedMessages}`);
  await shot(page, 'check');
  const stored = await (await api('/api/v1/submissions')).json();
  check(Array.isArray(stored) && stored.length === 0, `the check stored a submission: ${JSON.stringify(stored)}`);

  // A form the server cannot read: the page gives the server's reason in the page's language.
  const unreadable = await page.request.post(base + '/check', {
    headers: { 'content-type': 'text/plain', 'accept-language': lang },
    data: 'not a form',
  });
  check(unreadable.status() === 400, `an unreadable check answered ${unreadable.status()}`);
  const refusal = await unreadable.text();
  check(refusal.includes(fr ? 'envoyez le fichier en multipart/form-data' : 'send the file as multipart/form-data'),
    `the refusal does not give the reason in ${lang}: ${refusal.slice(0, 400)}`);
  await page.goto(base + '/');

  // Upload with JavaScript on: the script sends it and follows to the submission page.
  await page.getByLabel(fr ? 'Classeur' : 'Workbook').setInputFiles(rejected);
  await Promise.all([
    page.waitForURL(/\/submissions\/[0-9a-f]{24}$/, { timeout: 30000 }),
    page.getByRole('button', { name: fr ? 'Envoyer' : 'Send', exact: true }).click(),
  ]);
  // The page updates by itself until the verdict.
  await page.locator('#state[data-state="rejected"]').waitFor({ timeout: 60000 });
  check(await page.locator('#state').innerText().then((t) => t.includes(fr ? 'Rejeté' : 'Rejected')),
    'the state is not shown in words');
  const submission = page.url();

  // Only the errors, with the filter (a GET form that works without script).
  await page.getByLabel(fr ? 'Gravité' : 'Severity').selectOption('error');
  await Promise.all([
    page.waitForURL(/severity=error/),
    page.getByRole('button', { name: fr ? 'Filtrer' : 'Filter' }).click(),
  ]);
  const rows = page.locator('#issues tbody tr');
  check(await rows.count() === cells.length, `expected ${cells.length} errors, saw ${await rows.count()}`);
  const seen = await rows.locator('td:nth-child(3)').allInnerTexts();
  check(JSON.stringify([...seen].sort()) === JSON.stringify([...cells].sort()),
    `the error cells are ${seen}, expected ${cells}`);
  const severities = await rows.locator('td:nth-child(1)').allInnerTexts();
  check(severities.every((s) => s.includes(fr ? 'Erreur' : 'Error')), `severities: ${severities}`);
  const messages = await rows.locator('td:nth-child(6)').allInnerTexts();
  check(messages.some((m) => m.includes(fr ? 'adresse électronique' : 'e-mail address')),
    `the messages are not in ${lang}: ${messages}`);
  await page.goto(submission);
  await shot(page, 'report');

  await downloadXlsx(page, page.getByRole('link', { name: fr ? 'notes en français' : 'notes in English' }), 'annotated.xlsx');
  // The list of problems, to share: every issue in the page's language.
  await downloadXlsx(page, page.getByRole('link', { name: fr ? 'Problèmes en classeur (xlsx)' : 'Problems as a spreadsheet (xlsx)' }), 'issues.xlsx');
  const issues = await download(page, page.getByRole('link', { name: fr ? 'Problèmes en CSV' : 'Problems as CSV' }), 'issues.csv');
  const issueLines = issues.trim().split('\n');
  check(issueLines[0].includes(fr ? 'Comment corriger' : 'How to fix'), `the issue list's header: ${issueLines[0]}`);
  check(issueLines.length >= 7, `the issue list has ${issueLines.length - 1} lines`);

  // The corrected file from a browser without JavaScript: a plain form post and a refreshing page.
  const plain = await (await context(browser, { javaScriptEnabled: false })).newPage();
  await signIn(plain, token);
  await plain.getByLabel(fr ? 'Classeur' : 'Workbook').setInputFiles(corrected);
  await Promise.all([
    plain.waitForURL(/\/submissions\/[0-9a-f]{24}$/, { timeout: 30000 }),
    plain.getByRole('button', { name: fr ? 'Envoyer' : 'Send', exact: true }).click(),
  ]);
  check(plain.url() !== submission, 'the corrected file got the same submission');
  await plain.locator('#state[data-state="accepted"]').waitFor({ timeout: 60000 });
  await shot(plain, 'accepted');

  await page.goto(base + '/submissions');
  check(await page.locator('table tbody tr').count() === 2, 'the list does not show both submissions');
  await shot(page, 'submissions');

  // A column not placed: the report page asks which field it is, and confirming checks the same
  // stored file again.
  const sendFile = async (file) => {
    await page.goto(base + '/');
    await page.getByLabel(fr ? 'Classeur' : 'Workbook').setInputFiles(file);
    await Promise.all([
      page.waitForURL(/\/submissions\/[0-9a-f]{24}$/, { timeout: 30000 }),
      page.getByRole('button', { name: fr ? 'Envoyer' : 'Send', exact: true }).click(),
    ]);
  };
  await sendFile(mapping);
  await page.locator('#state[data-state="rejected"]').waitFor({ timeout: 60000 });
  const asked = page.url();
  const form = page.locator('form#mapping');
  check(await form.count() === 1, 'no mapping form on the page of a file rejected for a column');
  check((await page.locator('#mapping-title').innerText()).includes(fr ? 'Dites quelles colonnes' : 'Say which columns'),
    'the mapping form is not in the page language');
  await form.locator('select[data-header="Paymaster"]').selectOption('Paymaster=lead_funder');
  await shot(page, 'mapping');
  await Promise.all([
    page.waitForURL((url) => /\/submissions\/[0-9a-f]{24}$/.test(url.pathname) && url.href !== asked, { timeout: 30000 }),
    page.getByRole('button', { name: fr ? 'Confirmer et vérifier à nouveau le fichier' : 'Confirm and check the file again' }).click(),
  ]);
  await page.locator('#state[data-state="accepted"]').waitFor({ timeout: 60000 });
  const confirmedRow = page.locator('#columns tbody tr[data-read="confirmed"]');
  check((await confirmedRow.innerText()).includes('Paymaster'), 'the confirmed column is not shown');

  // The next file with the same headers: accepted, nothing asked.
  await sendFile(mappingNext);
  await page.locator('#state[data-state="accepted"]').waitFor({ timeout: 60000 });
  check(await page.locator('form#mapping').count() === 0, 'the mapping was asked again');
  const remembered = await page.locator('#columns tbody tr[data-read="confirmed"]').innerText();
  check(remembered.includes('Paymaster') && remembered.includes(fr ? 'comme vous l\'avez confirmé' : 'as you confirmed'),
    `the column is not named as confirmed: ${remembered}`);
});
