import fs from 'node:fs';
import path from 'node:path';
import express, { Router as ExpressRouter } from 'express';
import { REPO_ROOT } from '../config.js';

/** Where `make ui-build` (Vite) writes the browser lab. */
export const UI_DIST = path.join(REPO_ROOT, 'lab-ui', 'dist');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Shard Lab</title>
<p>The browser lab is not built yet. <code>make dev</code> builds it before starting; or run <code>make ui-build</code>.</p>
<p>The API works meanwhile: <a href="/lab/v1/topology">/lab/v1/topology</a>, <a href="/api/v1/shards/stats">/api/v1/shards/stats</a>.</p>`;

/** Serves the built UI at `/` (hashed assets cached for good, index.html never), and nothing else. */
export function uiRoutes(dist = UI_DIST): ExpressRouter {
  const r = ExpressRouter();
  const assets = path.join(dist, 'assets');
  r.use('/assets', precompressed(assets));
  // A missing asset falls through to the JSON 404 (express.static's own error would name the path on disk).
  r.use('/assets', express.static(assets, { immutable: true, maxAge: '1y' }));
  r.get(['/', '/index.html'], (_req, res) => {
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) return void res.status(200).type('html').send(NOT_BUILT);
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  r.use(express.static(dist, { index: false }));
  return r;
}

const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/**
 * The build writes `.br` and `.gz` beside each asset (lab-ui/precompress.ts): send the best one the browser
 * accepts, so the first visit downloads a quarter of the bytes and the server compresses nothing per request.
 */
function precompressed(dir: string): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = path.basename(req.path);
    if (name !== req.path.slice(1) || !/^[\w.-]+\.(js|css|svg|json|wasm|txt|map)$/.test(name)) return next();
    const accepted = String(req.headers['accept-encoding'] ?? '');
    const encoding = ENCODINGS.find((e) => new RegExp(`\\b${e.name}\\b`).test(accepted) && fs.existsSync(path.join(dir, name + e.ext)));
    res.vary('Accept-Encoding');
    if (!encoding) return next();
    res.set({ 'content-encoding': encoding.name, 'cache-control': 'public, max-age=31536000, immutable' });
    res.type(path.extname(name));
    res.sendFile(name + encoding.ext, { root: dir, lastModified: true, cacheControl: false }, (err) => err && next());
  };
}
