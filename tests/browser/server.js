// A tiny static file server for the built site: 127.0.0.1, ephemeral port,
// gzip like a typical static host (so measured transfer sizes are realistic).
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.json', '.xml', '.txt', '.svg']);

function resolve(root, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  const file = path.join(root, path.normalize(p));
  if (!file.startsWith(root)) return null;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) {
      if (!p.endsWith('/')) return { redirect: p + '/' };
      const index = path.join(file, 'index.html');
      return fs.existsSync(index) ? { file: index } : null;
    }
    return { file };
  } catch {
    return null;
  }
}

/** Serves `root`; resolves to { url, close, requests } once listening. */
function serve(root) {
  root = path.resolve(root);
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const found = resolve(root, req.url);
    if (found && found.redirect) {
      res.writeHead(301, { Location: found.redirect });
      res.end();
      return;
    }
    let status = 200;
    let file = found && found.file;
    if (!file) {
      status = 404;
      file = path.join(root, '404.html');
      if (!fs.existsSync(file)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
    }
    const ext = path.extname(file);
    let body = fs.readFileSync(file);
    const headers = { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      body = zlib.gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
      headers['Vary'] = 'Accept-Encoding';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      ok({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
      });
    });
  });
}

module.exports = { serve };
