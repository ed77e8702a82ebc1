// Checks over every staff page type the areas registered (staff.mjs): axe-core finds no
// serious or critical violation, for every role that can open the page.
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, axeSerious, login, open } from './lib.mjs';
import { ROLES, signIn, staffPageTypes, test } from './staff.mjs';
import { newPage } from './lib.mjs';

test('staff 5. axe-core on every staff page type, for each role: no serious or critical violation', async () => {
  const failures = [];
  for (const username of ROLES) {
    const token = await login(username);
    const types = [{ name: 'login', path: '/dang-nhap' }, ...(await staffPageTypes(username, token))];
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await newPage(viewport);
      await signIn(page, username);
      for (const t of types) {
        try {
          await open(page, t.path);
          failures.push(...(await axeSerious(page, `${username} ${t.path} @${viewport.width}px`)));
        } catch (e) {
          failures.push(`${username} ${t.name} @${viewport.width}px: ${e.message.split('\n')[0]}`);
        }
      }
      await page.context().close();
    }
  }
  assert.deepEqual(failures, []);
});
