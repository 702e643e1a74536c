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
  // A missing asset falls through to the JSON 404 (express.static's own error would name the path on disk).
  r.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '1y' }));
  r.get(['/', '/index.html'], (_req, res) => {
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) return void res.status(200).type('html').send(NOT_BUILT);
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  r.use(express.static(dist, { index: false }));
  return r;
}
