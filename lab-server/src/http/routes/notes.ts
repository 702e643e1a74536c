import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { CreateNoteSchema, NoteSchema, NotesQuerySchema } from '../../messenger/notes/schemas.js';
import type { NotesService } from '../../messenger/notes/service.js';
import { SHARD_HEADER } from './users.js';

const behind = {
  description: "schema_behind: the user's shard lacks a table or column this app version needs (its drill migrations lag: the Migrations chapter)",
};

/** `/users/:id/notes`: the feature a new app version brings, stored in the Migrations chapter's drill schema. */
export function notesRoutes(api: ApiRouter, notes: NotesService): void {
  const tag = 'notes';
  api.add(
    {
      method: 'post',
      path: '/users/:id/notes',
      tag,
      summary: "Add a note to a user, on the user's shard, as the given app version writes it",
      description: 'Needs the drill migrations of the Migrations chapter on that shard (lab_drill.notes with priority and tags).',
      query: NotesQuerySchema,
      body: CreateNoteSchema,
      bodyName: 'note',
      responses: { 201: { description: 'created; X-Lab-Shard header', schema: NoteSchema }, 404: { description: 'no such user' }, 503: behind },
    },
    async ({ params, res, query, body }) => {
      const { value, shard } = await notes.create(params.id!, body, query.app_version);
      res.status(201).set(SHARD_HEADER, shard).json(value);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users/:id/notes',
      tag,
      summary: "A user's newest notes (20), read as the given app version reads them",
      query: NotesQuerySchema,
      responses: { 200: { description: 'X-Lab-Shard header', schema: z.array(NoteSchema) }, 503: behind },
    },
    async ({ params, res, query }) => {
      const { value, shard } = await notes.list(params.id!, query.app_version);
      res.set(SHARD_HEADER, shard).json(value);
    },
  );
}
