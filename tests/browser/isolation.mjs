// Partner B, signed in, cannot open partner A's submission through any page or API route.
import { base, need, check, context, signIn, run } from './lib.mjs';

const token = need('JVAP_TOKEN');
const id = need('JVAP_OTHER_SUBMISSION');

await run(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, token);
  const pageRoutes = [`/submissions/${id}`, `/submissions/${id}?severity=error`];
  for (const path of pageRoutes) {
    const response = await page.goto(base + path);
    check([403, 404].includes(response.status()), `${path} answered ${response.status()}`);
    check(await page.locator('#problem').count() === 1, `${path} shows no message`);
  }
  const apiRoutes = [
    `/api/v1/submissions/${id}`, `/api/v1/submissions/${id}/report`,
    `/api/v1/submissions/${id}/annotated.xlsx?lang=en`, '/api/v1/datasets/latest.xlsx', '/api/v1/tokens',
  ];
  for (const path of apiRoutes) {
    const response = await page.request.get(base + path);
    check([403, 404].includes(response.status()), `${path} answered ${response.status()} to the session`);
  }
  const list = await page.request.get(base + '/api/v1/submissions');
  check(list.ok() && !(await list.text()).includes(id), 'the list shows the other partner\'s submission');
  await page.goto(base + '/submissions');
  check(!(await page.content()).includes(id), 'the page lists the other partner\'s submission');
});
