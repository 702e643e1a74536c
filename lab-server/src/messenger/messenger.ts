import type { Cluster, Log } from '../cluster/cluster.js';
import type { ReadRouter } from '../cluster/reads.js';
import type { WriteGate } from '../sharding/write-gate.js';
import type { DataLayer } from '../data/layer.js';
import type { Router } from '../sharding/router.js';
import { AccountsService } from './accounts/service.js';
import { CONVERSATION_CREATED } from './conversations/prisma-repository.js';
import { ConversationsService } from './conversations/service.js';
import { OutboxProcessor } from './outbox/processor.js';
import { NotesService } from './notes/service.js';
import { userDeletedHandler } from './users/cleanup.js';
import { USER_DELETED } from './users/prisma-repository.js';
import { UsersService } from './users/service.js';

/** The messenger's services, wired together, and the outbox processor that applies their cross-shard events. */
export class Messenger {
  readonly outbox: OutboxProcessor;
  readonly users: UsersService;
  readonly conversations: ConversationsService;
  readonly accounts: AccountsService;
  readonly notes: NotesService;

  constructor(
    cluster: Pick<Cluster, 'shards' | 'shard' | 'pools'>,
    router: () => Router,
    layer: () => DataLayer,
    log: Log,
    gate: WriteGate,
    reads: ReadRouter,
  ) {
    this.outbox = new OutboxProcessor(cluster, log);
    this.users = new UsersService(cluster, router, layer, () => this.outbox.wake(), gate, reads);
    this.conversations = new ConversationsService(cluster, router, this.users, layer, gate);
    this.accounts = new AccountsService(cluster, router, this.users, gate);
    this.notes = new NotesService(cluster, router);
    this.outbox.on(USER_DELETED, userDeletedHandler(this.conversations, this.accounts));
    this.outbox.on(CONVERSATION_CREATED, this.conversations.handleCreated);
  }
}
