// Launching Debian's Chromium through playwright-core, with no network
// chatter (the machines reach nothing but package registries).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function launch() {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`${EXECUTABLE} not found: run scripts/browser-tests.sh (it installs Debian's chromium)`);
  }
  return chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
}

/** The built site to test: $SITE_DIR, else ./public. */
function siteDir() {
  const dir = path.resolve(process.env.SITE_DIR || 'public');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html not found: build the site first (or set SITE_DIR)`);
  }
  return dir;
}

/** One URL of each page type, found in the built site. */
function pageTypes(dir) {
  const first = (sub, filter = () => true) => {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d)) return null;
    const names = fs.readdirSync(d).filter((n) => fs.existsSync(path.join(d, n, 'index.html')) && filter(n)).sort();
    return names.length ? `/${sub}/${names[0]}/` : null;
  };
  const year = first('archive');
  const month = year && first(year.slice(1, -1));
  const types = {
    home: '/',
    digest: first('digests'),
    digests: '/digests/',
    briefing: first('briefings', (n) => n !== 'page'),
    briefings: '/briefings/',
    issue: first('issues'),
    issues: '/issues/',
    entity: first('entities'),
    entities: '/entities/',
    archive: '/archive/',
    month,
    search: '/search/',
    page: first('.', (n) => !['archive', 'briefings', 'digests', 'entities', 'issues', 'search'].includes(n)),
    notFound: '/no-such-page/',
  };
  for (const k of Object.keys(types)) if (!types[k]) delete types[k];
  return types;
}

/** Collects console errors, page errors and failed requests of a page. */
function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // ERR_ABORTED is a request cut short by the test navigating on, not a failure of the site.
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? '';
    if (!error.includes('ERR_ABORTED')) problems.push(`request failed: ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/no-such-page/')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

module.exports = { launch, siteDir, pageTypes, watch, ARGS, EXECUTABLE };
