import type { ApiRouter } from '../api-router.js';
import { AccountSchema, CreateAccountSchema } from '../../messenger/accounts/schemas.js';
import type { AccountsService } from '../../messenger/accounts/service.js';

export function accountsRoutes(api: ApiRouter, accounts: AccountsService): void {
  api.add(
    {
      method: 'post',
      path: '/accounts',
      tag: 'accounts',
      summary: 'Create a login account for a user; username and e-mail unique across all shards',
      description:
        "Claims the username and the e-mail in lookup tables on their own shards, creates the account on the user's shard, then confirms the claims (docs/uniqueness.md).",
      body: CreateAccountSchema,
      bodyName: 'account',
      responses: {
        201: { description: 'created; the password is stored as an scrypt hash and never returned', schema: AccountSchema },
        409: { description: 'already_taken: details.field says whether the username or the e-mail is taken (on any shard)' },
        422: { description: 'unknown_user: the user does not exist' },
      },
    },
    async ({ res, body }) => {
      res.status(201).json(await accounts.create(body));
    },
  );
}
