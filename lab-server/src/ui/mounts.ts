import type { Mount } from '../http/app.js';
import { chapterRoutes } from '../chapters/routes.js';
import { sqlRoutes } from '../console/routes.js';
import type { Lab } from '../lab/lab.js';
import { placementRoutes } from '../placement/routes.js';
import { ringRoutes } from '../ring/routes.js';
import { uiRoutes } from './static-routes.js';

/**
 * Everything the browser lab adds to the HTTP app: chapters and exercises, the ring and placement views,
 * the SQL viewer, and the built UI at `/` (last, so it never shadows an API route).
 */
export function browserLabMounts(lab: Lab): Mount[] {
  return [
    { path: '/lab/v1', router: chapterRoutes(lab, lab.config.chaptersDir) },
    { path: '/lab/v1', router: ringRoutes(lab) },
    { path: '/lab/v1', router: placementRoutes(lab) },
    { path: '/lab/v1', router: sqlRoutes(lab) },
    { path: '/', router: uiRoutes() },
  ];
}
