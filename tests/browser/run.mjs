// The public and staff pages in headless Chromium.
//
//   node run.mjs BASE_URL [--screenshots DIR] [--only PATTERN]
//
// BASE_URL is a running server's origin (a demo: `vanban serve --demo`); the demo password
// comes from VANBAN_DEMO_PASSWORD; Chromium is /usr/bin/chromium unless VANBAN_CHROMIUM says
// otherwise. --screenshots writes a PNG of each page type at 360 px and at 1280 px into DIR.
// --only runs the tests whose name matches PATTERN. scripts/browser-test starts a demo server
// and runs this.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    screenshots: { type: 'string' },
    only: { type: 'string' },
  },
});
if (positionals.length !== 1) {
  console.error('usage: node run.mjs BASE_URL [--screenshots DIR] [--only PATTERN]');
  process.exit(2);
}
process.env.VANBAN_BASE_URL = positionals[0];
if (values.screenshots) {
  const dir = resolve(values.screenshots);
  mkdirSync(dir, { recursive: true });
  process.env.VANBAN_SCREENSHOTS = dir;
}
if (values.only) process.env.VANBAN_ONLY = values.only;

await import('./scenarios.mjs');
// The staff pages: each area's scenarios in a staff-*.mjs of their own; staff-common.mjs
// (the checks over every registered staff page type) last, once every area registered.
const here = dirname(fileURLToPath(import.meta.url));
const staff = readdirSync(here)
  .filter((f) => /^staff-.+\.mjs$/.test(f) && f !== 'staff-common.mjs')
  .sort();
for (const f of staff) await import(`./${f}`);
await import('./staff-common.mjs');
