import { ApiRouter } from '../api-router.js';
import { accountsRoutes } from './accounts.js';
import { conversationsRoutes } from './conversations.js';
import type { Messenger } from '../../messenger/messenger.js';
import { notesRoutes } from './notes.js';
import { usersRoutes } from './users.js';

/** The messenger API (`/api/v1`), every route declared with its schemas. */
export function messengerApi(m: Messenger): ApiRouter {
  const api = new ApiRouter();
  usersRoutes(api, m.users);
  conversationsRoutes(api, m.conversations);
  accountsRoutes(api, m.accounts);
  notesRoutes(api, m.notes);
  return api;
}
