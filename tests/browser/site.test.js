// Real-browser tests of the default theme and search, in Debian's Chromium.
// Run with scripts/browser-tests.sh, or: SITE_DIR=public node --test tests/browser/
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { serve } = require('./server');
const { launch, siteDir, pageTypes, watch } = require('./browser');

const DIR = siteDir();
const TYPES = pageTypes(DIR);
const SHOTS = path.resolve(__dirname, '../../docs/screenshots');
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
let server;
let browser;

before(async () => {
  server = await serve(DIR);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await context.newPage();
  const problems = watch(page);
  return { context, page, problems };
}

const url = (p) => server.url + p;

test('every page type exists in the built site', () => {
  for (const t of ['home', 'digest', 'briefing', 'issue', 'archive', 'search']) {
    assert.ok(TYPES[t], `no ${t} page in ${DIR}`);
  }
});

test('reading path: home → digest → briefing → key-issue hub → related briefing → back', async (t) => {
  const { context, page, problems } = await open();
  await page.goto(url('/'));
  assert.equal(await page.locator('h1').count(), 1);
  // The digest: from the header navigation to the digest list, then a digest.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Digests' }).click();
  await page.locator('main .hub-list a').first().click();
  assert.match(page.url(), /\/digests\/[^/]+\/$/);
  // Prefer a digest and briefing that link a key issue and related briefings:
  // the latest digest first, then older ones.
  const digestUrls = [page.url()];
  await page.goto(url('/digests/'));
  for (const href of await page.locator('main .hub-list a').evaluateAll((as) => as.map((a) => a.href))) {
    if (!digestUrls.includes(href)) digestUrls.push(href);
  }
  let digestUrl = digestUrls[0];
  let best = 0;
  search: for (const candidate of digestUrls) {
    await page.goto(candidate);
    const n = await page.locator('main article.card').count();
    assert.ok(n > 0, 'the digest lists briefings');
    for (let i = 0; i < n; i++) {
      await page.goto(candidate);
      await page.locator('main article.card .card-title a').nth(i).click();
      if ((await page.locator('#key-issues ~ ol a').count()) > 0 && (await page.locator('.related-list a').count()) > 0) {
        digestUrl = candidate;
        best = i;
        break search;
      }
    }
  }
  await page.goto(digestUrl);
  await page.locator('main article.card .card-title a').nth(best).click();
  let briefingUrl = page.url();
  assert.match(briefingUrl, /\/briefings\/[^/]+\/$/);
  assert.ok(await page.locator('.summary-box .bottom-line').isVisible());
  // Key-issue hub: from the briefing's sidebar; when the analysis found no
  // key issue with a hub, from the digest's issue chips.
  let issue = page.locator('#key-issues ~ ol a').first();
  if ((await issue.count()) === 0) {
    t.diagnostic('no briefing of the digest links a key-issue hub: reaching the hub from the digest');
    await page.goto(digestUrl);
    issue = page.locator('main .chips a[href*="/issues/"]').first();
  }
  const issueName = (await issue.evaluate((a) => a.firstChild.textContent)).trim();
  await issue.click();
  assert.match(page.url(), /\/issues\/[^/]+\/$/);
  assert.equal((await page.locator('h1').textContent()).trim().toLowerCase(), issueName.toLowerCase());
  // From the hub's timeline back to a briefing (the one we came from, when listed).
  const inTimeline = page.locator(`.timeline a[href="${new URL(briefingUrl).pathname}"]`);
  if ((await inTimeline.count()) > 0) {
    await inTimeline.first().click();
  } else {
    await page.locator('.timeline .card-title a').first().click();
  }
  briefingUrl = page.url();
  const title = await page.locator('h1').textContent();
  // A related briefing, with its reason, and back.
  const related = page.locator('.related-list li').first();
  assert.ok((await related.count()) > 0, `${briefingUrl} lists related briefings`);
  await related.locator('a').click();
  assert.notEqual(page.url(), briefingUrl);
  assert.notEqual(await page.locator('h1').textContent(), title);
  await page.goBack();
  assert.equal(page.url(), briefingUrl);
  assert.equal(await page.locator('h1').textContent(), title);
  assert.deepEqual(problems, []);
  await context.close();
});

test('search: a name from a briefing finds it; a result opens with the keyboard', async () => {
  const { context, page, problems } = await open();
  await page.goto(url(TYPES.briefing));
  const title = (await page.locator('h1').textContent()).trim();
  // An entity of the briefing; else (analysis without entities) its first key issue or tag.
  let term = await page.locator('.entity a, .entity span').first().textContent({ timeout: 1 }).catch(() => null);
  if (!term) term = await page.locator('.issue-label').first().textContent({ timeout: 1 }).catch(() => null);
  if (!term) term = await page.locator('.tags li').first().textContent();
  term = term.trim();
  // The header form is a plain GET form: it leads to the search page.
  await page.locator('#site-q').fill(term);
  await page.locator('#site-q').press('Enter');
  await page.waitForURL(/\/search\/\?q=/);
  const results = page.locator('#search-results li');
  await results.first().waitFor();
  assert.match(await page.locator('#search-status').textContent(), /match/);
  // Results come in pages of 10: show them all, with the keyboard.
  while (await page.locator('#search-more').isVisible()) {
    const before = await results.count();
    await page.locator('#search-more').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length > n, before);
  }
  const titles = (await page.locator('#search-results .result-title').allTextContents()).map((x) => x.trim());
  assert.ok(titles.includes(title), `results for "${term}" include "${title}": ${titles.join(' | ')}`);
  // Each result shows title, date and bottom line.
  assert.ok(await results.first().locator('.meta').textContent());
  assert.ok(await results.first().locator('.bottom-line').count());
  // Keyboard: ArrowDown from the box to the first result, Enter opens it.
  await page.locator('#search-q').focus();
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.equal(focused.trim(), titles[0]);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/search/'));
  assert.equal((await page.locator('h1').textContent()).trim(), titles[0]);
  // Typing updates the results without submitting; a prefix finds longer words.
  // A one-word query shows its first page from the term shard alone: no
  // metadata chunk (search/d/) is fetched.
  await page.goto(url('/search/'));
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.locator('#search-q').pressSequentially(title.split(/\s+/).sort((a, b) => b.length - a.length)[0].slice(0, -1).toLowerCase());
  await results.first().waitFor();
  assert.ok((await results.count()) > 0);
  assert.ok(fetched.some((p) => p.includes('/search/s/')), fetched.join(' '));
  assert.deepEqual(fetched.filter((p) => p.includes('/search/d/')), []);
  await page.locator('#search-q').fill('zzqxjvnotaword');
  await page.waitForFunction(() => /No briefings/.test(document.getElementById('search-status').textContent));
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: Tab reaches the skip link, Enter skips to the content, focus is visible', async () => {
  const { context, page } = await open();
  for (const p of [TYPES.home, TYPES.briefing, TYPES.issue]) {
    await page.goto(url(p));
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const a = document.activeElement;
      const s = getComputedStyle(a);
      const r = a.getBoundingClientRect();
      return { text: a.textContent, outline: s.outlineStyle, width: parseFloat(s.outlineWidth), top: r.top, bottom: r.bottom };
    });
    assert.equal(skip.text, 'Skip to content');
    assert.notEqual(skip.outline, 'none');
    assert.ok(skip.width >= 2, 'focus outline at least 2px');
    assert.ok(skip.top >= 0 && skip.bottom > 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => {
      const a = document.activeElement;
      return { inMain: !!a.closest('main'), tag: a.tagName, outline: getComputedStyle(a).outlineStyle };
    });
    assert.ok(next.inMain, 'the next Tab stop is inside main');
    assert.notEqual(next.outline, 'none', `focus visible on ${next.tag}`);
  }
  await context.close();
});

test('phone viewport (375×812 and 320 wide): no horizontal scrolling on any page type', async () => {
  for (const viewport of [PHONE, { width: 320, height: 640 }]) {
    const { context, page } = await open({ viewport, isMobile: true, hasTouch: true });
    for (const [type, p] of Object.entries(TYPES)) {
      await page.goto(url(p));
      const { scroll, inner } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
      }));
      assert.ok(scroll <= inner, `${type} ${p} at ${viewport.width}px: scrollWidth ${scroll} > ${inner}`);
    }
    // On phones the sidebar follows the summary, before the text.
    await page.goto(url(TYPES.briefing));
    const order = await page.evaluate(() => ['.summary-box', '.sidebar', '.body']
      .map((s) => document.querySelector(s).getBoundingClientRect().top));
    assert.ok(order[0] < order[1] && order[1] < order[2], `summary, sidebar, body: ${order}`);
    await context.close();
  }
});

test('dark mode: prefers-color-scheme dark gives a dark background and light text', async () => {
  const { context, page } = await open({ colorScheme: 'dark' });
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number).map((v) => v / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const p of [TYPES.home, TYPES.briefing, TYPES.search]) {
    await page.goto(url(p));
    const { bg, fg } = await page.evaluate(() => ({
      bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color,
    }));
    assert.ok(lum(bg) < 0.05, `dark background on ${p}: ${bg}`);
    assert.ok(lum(fg) > 0.5, `light text on ${p}: ${fg}`);
  }
  await context.close();
});

test('print: a briefing prints without navigation, search or footer', async () => {
  const { context, page } = await open();
  await page.goto(url(TYPES.briefing));
  await page.emulateMedia({ media: 'print' });
  const shown = await page.evaluate(() => ['.site-header', '.site-footer', '.site-nav', '.summary-box', '.body']
    .map((s) => getComputedStyle(document.querySelector(s)).display !== 'none'));
  assert.deepEqual(shown, [false, false, false, true, true]);
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await context.close();
});

test('no console errors or failed requests on any page type', async () => {
  const { context, page, problems } = await open();
  for (const p of Object.values(TYPES)) {
    await page.goto(url(p), { waitUntil: 'networkidle' });
  }
  await page.goto(url('/search/?q=oman'), { waitUntil: 'networkidle' });
  const real = problems.filter((m) => !(m.startsWith('console: Failed to load resource') && m.includes('404')));
  assert.deepEqual(real, []);
  await context.close();
});

test('without JavaScript: pages read fully and the search page says where to browse', async () => {
  const { context, page } = await open({ javaScriptEnabled: false });
  await page.goto(url(TYPES.briefing));
  assert.ok(await page.locator('.summary-box .bottom-line').isVisible());
  assert.ok(await page.locator('.body p').first().isVisible());
  await page.goto(url('/search/?q=oman'));
  assert.match(await page.locator('main').textContent(), /needs JavaScript/);
  await context.close();
});

test('metadata: title, description, canonical, Open Graph and NewsArticle JSON-LD', async () => {
  const { context, page } = await open();
  await page.goto(url(TYPES.briefing));
  const meta = await page.evaluate(() => {
    const attr = (sel, a) => document.querySelector(sel)?.getAttribute(a);
    return {
      title: document.title,
      h1: document.querySelector('h1').textContent,
      description: attr('meta[name=description]', 'content'),
      bottomLine: document.querySelector('.summary-box .bottom-line').textContent,
      canonical: attr('link[rel=canonical]', 'href'),
      ogTitle: attr('meta[property="og:title"]', 'content'),
      ogUrl: attr('meta[property="og:url"]', 'content'),
      ogType: attr('meta[property="og:type"]', 'content'),
      ld: JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent),
    };
  });
  assert.ok(meta.title.startsWith(meta.h1));
  assert.equal(meta.description, meta.bottomLine);
  assert.match(meta.canonical, /^https?:\/\/.+\/$/);
  assert.equal(meta.ogUrl, meta.canonical);
  assert.equal(meta.ogTitle, meta.h1);
  assert.equal(meta.ogType, 'article');
  assert.equal(meta.ld['@type'], 'NewsArticle');
  assert.equal(meta.ld.headline, meta.h1);
  assert.equal(meta.ld.description, meta.bottomLine);
  assert.equal(meta.ld.url, meta.canonical);
  assert.ok(meta.ld.datePublished && meta.ld.dateModified);
  assert.ok(meta.ld.publisher.name);
  for (const p of Object.values(TYPES)) {
    await page.goto(url(p));
    assert.equal(await page.locator('h1').count(), 1, `one h1 on ${p}`);
    assert.ok(await page.locator('meta[name=description]').getAttribute('content'), `description on ${p}`);
  }
  await context.close();
});

test('axe-core: no serious or critical violations on any page type, light and dark', async () => {
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const failures = [];
  for (const colorScheme of ['light', 'dark']) {
    const { context, page } = await open({ colorScheme });
    for (const [type, p] of Object.entries(TYPES)) {
      await page.goto(url(p === '/search/' ? '/search/?q=oman' : p), { waitUntil: 'networkidle' });
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      for (const v of violations) failures.push(`${colorScheme} ${type} ${p}: ${v}`);
    }
    await context.close();
  }
  assert.deepEqual(failures, []);
});

test('screenshots of the main pages at desktop and phone sizes', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const shots = [
    ['home', TYPES.home], ['digest', TYPES.digest], ['briefing', TYPES.briefing],
    ['issue', TYPES.issue], ['search', '/search/?q=oman'],
  ];
  for (const [size, viewport, extra] of [['desktop', DESKTOP, {}], ['phone', PHONE, { isMobile: true }],
    ['desktop-dark', DESKTOP, { colorScheme: 'dark' }]]) {
    const { context, page } = await open({ viewport, ...extra });
    for (const [name, p] of shots) {
      if (size === 'desktop-dark' && name !== 'briefing') continue;
      await page.goto(url(p), { waitUntil: 'networkidle' });
      if (name === 'search') await page.locator('#search-results li').first().waitFor();
      const file = path.join(SHOTS, `${name}-${size}.png`);
      await page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 1000);
    }
    await context.close();
  }
});
