// The public pages in headless Chromium (issue 14, "Tests in a real browser").
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
import { resolve } from 'node:path';

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
