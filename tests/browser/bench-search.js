// Measures site search in headless Chromium: time per query and bytes
// fetched per query (gzip-compressed, as the server sends them).
//
//   node tests/browser/bench-search.js SITE_DIR [QUERIES]
//
// Each query runs in a fresh browser context (empty cache: everything the
// query needs is fetched: manifest, shards, result metadata), timed from the
// moment the page has its manifest (fetched on page load) to ranked results
// with their metadata; then again in the same page (warm: compute only).
// "metadata" counts the metadata chunks (search/d/) a query had to fetch
// because its first page was not all in the loaded shards' tables.
// Not a test file: `node --test` does not pick it up.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { serve } = require('./server');
const { launch } = require('./browser');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Queries drawn from the site itself: title words, pairs and prefixes. */
function queries(dir, count) {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'search/index.json'), 'utf8'));
  const docs = [];
  for (let c = 0; docs.length < count * 2 && fs.existsSync(path.join(dir, `search/d/${c * 7}.json`)); c++) {
    docs.push(...JSON.parse(fs.readFileSync(path.join(dir, `search/d/${c * 7}.json`), 'utf8')).slice(0, 3));
  }
  const stop = new Set(m.stop);
  const out = [];
  for (let i = 0; out.length < count && i < docs.length; i++) {
    const words = docs[i][0].toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter((w) => w.length > 3 && !stop.has(w));
    if (!words.length) continue;
    const kind = out.length % 3;
    if (kind === 0) out.push(words[0]);
    else if (kind === 1 && words.length > 1) out.push(`${words[0]} ${words[1]}`);
    else out.push(words[words.length - 1].slice(0, 4));
  }
  return out;
}

async function main() {
  const dir = path.resolve(process.argv[2] || 'public');
  const count = Number(process.argv[3] || 30);
  const qs = queries(dir, count);
  const server = await serve(dir);
  const browser = await launch();
  const rows = [];
  try {
    for (const q of qs) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}/search/`);
      await page.waitForFunction(() => window.briefingSearch);
      const r = await page.evaluate(async (query) => {
        // The page fetches the manifest on load; count its bytes, not its time.
        await window.briefingSearch.ready;
        const t0 = performance.now();
        await window.briefingSearch.rank(query);
        const rank = performance.now() - t0;
        const res = await window.briefingSearch.query(query, 10);
        const cold = performance.now() - t0;
        const entries = performance.getEntriesByType('resource').filter((e) => e.name.includes('/search/'));
        const t1 = performance.now();
        await window.briefingSearch.query(query, 10);
        const warm = performance.now() - t1;
        return {
          total: res.total,
          cold,
          rank,
          warm,
          files: entries.length,
          metaFiles: entries.filter((e) => e.name.includes('/search/d/')).length,
          compressed: entries.reduce((s, e) => s + e.encodedBodySize, 0),
          raw: entries.reduce((s, e) => s + e.decodedBodySize, 0),
        };
      }, q);
      rows.push({ q, ...r });
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  // Index size on disk, and gzip sizes of the largest files.
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const files = walk(path.join(dir, 'search')).filter((f) => f.endsWith('.json'));
  let raw = 0;
  let gz = 0;
  let maxShard = 0;
  for (const f of files) {
    const b = fs.readFileSync(f);
    const g = zlib.gzipSync(b).length;
    raw += b.length;
    gz += g;
    if (f.includes('/s/')) maxShard = Math.max(maxShard, g);
  }
  const manifest = fs.readFileSync(path.join(dir, 'search/index.json'));
  const summary = {
    site: dir,
    docs: JSON.parse(manifest).docs,
    prefix: JSON.parse(manifest).prefix,
    queries: rows.length,
    index_files: files.length,
    index_raw_bytes: raw,
    index_gzip_bytes: gz,
    manifest_gzip_bytes: zlib.gzipSync(manifest).length,
    largest_shard_gzip_bytes: maxShard,
    rank_ms_median: +median(rows.map((r) => r.rank)).toFixed(1),
    rank_ms_p90: +pct(rows.map((r) => r.rank), 0.9).toFixed(1),
    cold_ms_median: +median(rows.map((r) => r.cold)).toFixed(1),
    cold_ms_p90: +pct(rows.map((r) => r.cold), 0.9).toFixed(1),
    cold_ms_max: +Math.max(...rows.map((r) => r.cold)).toFixed(1),
    warm_ms_median: +median(rows.map((r) => r.warm)).toFixed(1),
    queries_fetching_metadata_chunks: rows.filter((r) => r.metaFiles > 0).length,
    fetched_gzip_bytes_median: median(rows.map((r) => r.compressed)),
    fetched_gzip_bytes_max: Math.max(...rows.map((r) => r.compressed)),
    fetched_raw_bytes_max: Math.max(...rows.map((r) => r.raw)),
  };
  for (const r of rows) {
    console.log(`${JSON.stringify(r.q).padEnd(28)} ${String(r.total).padStart(6)} hits  ranked ${r.rank.toFixed(1).padStart(6)} ms  shown ${r.cold.toFixed(1).padStart(6)} ms  warm ${r.warm.toFixed(1).padStart(5)} ms  ${r.files} files (${r.metaFiles} metadata)  ${(r.compressed / 1024).toFixed(1)} KiB gz`);
  }
  console.log(JSON.stringify(summary, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
