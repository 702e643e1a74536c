import type { Prisma } from '../../data/prisma.js';
import type { AccountsService } from '../accounts/service.js';
import type { ConversationsService } from '../conversations/service.js';
import type { UserDeleted } from './prisma-repository.js';

/**
 * The `user.deleted` handler: what no foreign key could cascade across shards. The user leaves every
 * conversation (their messages stay, without a sender; an emptied conversation goes) and their usernames
 * and e-mails become free. Every step is idempotent, so a retried event does no harm.
 */
export function userDeletedHandler(conversations: ConversationsService, accounts: AccountsService) {
  return async (payload: Prisma.JsonValue): Promise<void> => {
    const e = payload as unknown as UserDeleted;
    await Promise.all([
      ...e.conversation_ids.map((id) => conversations.removeMembers(id, [e.user_id])),
      ...e.usernames.map((v) => accounts.releaseUser('username', v, e.user_id)),
      ...e.emails.map((v) => accounts.releaseUser('email', v, e.user_id)),
    ]);
  };
}
