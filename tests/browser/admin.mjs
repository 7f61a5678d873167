// An administrator closes and reopens the round, sets the expected partners, the Committee's list and
// asks for the summary now, issues a token (shown once) and revokes it; a revoked
// token no longer works; a stale session cookie says the session expired; sign-out signs out.
import { base, lang, need, check, context, signIn, shot, run } from './lib.mjs';

const token = need('JVAP_ADMIN_TOKEN');
const fr = lang === 'fr';

await run(async (browser) => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await signIn(page, token);

  // Closing asks first, saying what it will do; cancelling changes nothing.
  await page.getByRole('button', { name: fr ? 'Fermer la collecte' : 'Close the round' }).click();
  await page.locator('h1', { hasText: fr ? 'Fermer la collecte 2022 ?' : 'Close the 2022 round?' }).waitFor();
  await shot(page, 'admin-close');
  await page.getByRole('link', { name: fr ? 'Annuler' : 'Cancel' }).click();
  await page.getByRole('button', { name: fr ? 'Fermer la collecte' : 'Close the round' }).waitFor();
  await page.getByRole('button', { name: fr ? 'Fermer la collecte' : 'Close the round' }).click();
  await page.getByRole('button', { name: fr ? 'Oui, fermer la collecte' : 'Yes, close the round' }).click();
  await page.getByRole('button', { name: fr ? 'Ouvrir la collecte' : 'Open the round' }).waitFor();
  check(await page.locator('#round-closed-notice').count() === 1, 'closing does not say what it did');
  // The summary that closing requested is delivered (or skipped, with why) and listed.
  let outcome = 0;
  for (let i = 0; i < 40 && outcome === 0; i++) {
    await page.reload();
    outcome = await page.locator('#delivery-outcomes tbody tr').count();
    if (outcome === 0) await page.waitForTimeout(250);
  }
  check(outcome >= 1, 'no delivery outcome is listed after closing');
  const delivery = await page.locator('#delivery-outcomes tbody tr').first().innerText();
  check(delivery.includes(fr ? 'Collecte fermée' : 'Round closed'), `the delivery reads: ${delivery}`);
  await page.getByRole('button', { name: fr ? 'Ouvrir la collecte' : 'Open the round' }).click();
  await page.getByRole('button', { name: fr ? 'Fermer la collecte' : 'Close the round' }).waitFor();

  // Expected partners: only GMB and NER, then every partner again.
  await page.locator('input[name=partner][type=checkbox]').evaluateAll((boxes) => boxes.forEach((b) => { b.checked = false; }));
  await page.getByLabel(/^GMB —/).check();
  await page.getByLabel(/^NER —/).check();
  await page.getByRole('button', { name: fr ? 'Enregistrer la liste' : 'Save the list', exact: true }).click();
  const expects = page.locator('section[aria-labelledby="partners"] [role=status]');
  check((await expects.innerText()).includes('2'), `the round does not expect 2 partners: ${await expects.innerText()}`);
  check(await page.getByLabel(/^SEN —/).isChecked() === false, 'SEN is still expected');

  // The Committee's list, then the summary sent now.
  await page.getByLabel(fr ? 'Adresses e-mail' : 'E-mail addresses').fill('chair@example.org\nsecretariat@example.org');
  await page.getByRole('button', { name: fr ? 'Enregistrer la liste de diffusion' : 'Save the distribution list' }).click();
  check((await page.getByLabel(fr ? 'Adresses e-mail' : 'E-mail addresses').inputValue()).includes('secretariat@example.org'),
    'the distribution list was not kept');
  await page.getByRole('button', { name: fr ? 'Envoyer la synthèse maintenant' : 'Send the summary now' }).click();
  await page.locator('#summary-requested').waitFor();
  await shot(page, 'admin-committee');
  await page.getByRole('button', { name: fr ? 'Attendre tous les partenaires' : 'Expect every partner' }).click();
  check(await page.getByLabel(/^SEN —/).isChecked(), 'SEN is not expected again');

  await page.getByLabel(fr ? 'Rôle' : 'Role').selectOption('partner');
  await page.getByLabel(fr ? 'Partenaire (pour' : 'Partner (for').selectOption('NER');
  await page.getByLabel(fr ? 'Libellé' : 'Label').fill(`browser ${lang}`);
  await page.getByRole('button', { name: fr ? 'Créer le jeton' : 'Issue the token' }).click();
  const issued = (await page.locator('#issued-token').innerText()).trim();
  check(/^[0-9a-f]{64}$/.test(issued), `no token shown: ${issued}`);
  await shot(page, 'admin');

  const api = (t) => fetch(base + '/api/v1/submissions', { headers: { Authorization: `Bearer ${t}` } });
  check((await api(issued)).status === 200, 'the new token does not work');
  const tokenRow = () => page.locator('section[aria-labelledby="tokens"] tbody tr', { hasText: `browser ${lang}` });
  await tokenRow().getByRole('button', { name: fr ? 'Révoquer' : 'Revoke' }).click();
  await tokenRow().waitFor({ state: 'detached' });
  check((await api(issued)).status === 401, 'a revoked token still works');

  // Everything above is in the audit log, newest first, in the page's language.
  const logged = await page.locator('#audit-log tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action));
  const wanted = ['token_revoked', 'token_issued', 'expected_partners_set', 'summary_requested',
    'committee_list_set', 'expected_partners_set', 'round_opened', 'round_closed'];
  check(JSON.stringify(logged.slice(0, wanted.length)) === JSON.stringify(wanted), `the audit log shows ${logged.join(',')}`);
  const revokedEntry = await page.locator('#audit-log tbody tr').first().innerText();
  check(revokedEntry.includes(fr ? 'Jeton révoqué' : 'Token revoked') && revokedEntry.includes(`browser ${lang}`),
    `the revocation reads: ${revokedEntry}`);
  // Each service's readiness, from what it reports.
  for (const service of ['intake', 'validation', 'aggregation']) {
    const state = page.locator(`#service-states tr[data-service="${service}"] .state`);
    check(await state.count() >= 1, `${service} does not report`);
    check((await state.first().innerText()) === (fr ? 'prêt' : 'ready'), `${service} is not ready`);
  }

  // A session that no longer exists is said to have expired.
  const stale = await context(browser);
  await stale.addCookies([{ name: 'jvap_session', value: 'gone', url: base }]);
  const old = await stale.newPage();
  await old.goto(base + '/submissions');
  check(await old.locator('[role=status]').innerText().then((t) => t.includes(fr ? 'session a expiré' : 'session has expired')),
    'no session-expired message');
  await shot(old, 'expired');

  await page.getByRole('button', { name: fr ? 'Se déconnecter' : 'Sign out' }).click();
  await page.getByLabel(fr ? "Jeton d'accès" : 'Access token').waitFor();
  const after = await page.request.get(base + '/api/v1/submissions');
  check(after.status() === 401, `signed out, the API still answers ${after.status()}`);
});
