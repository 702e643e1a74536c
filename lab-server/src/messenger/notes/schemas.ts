import { z } from 'zod';
import { requiredString, strictBody, timestamp, uuid } from '../schema-parts.js';

/**
 * The app versions of the notes feature, one per deploy of a column rename done by expand and contract
 * (`lab_drill.notes.body` → `text`, the Migrations chapter): what each version writes and reads.
 */
export const APP_VERSIONS = {
  1: { writes: ['body'], reads: 'body' },
  2: { writes: ['body', 'text'], reads: 'body' },
  3: { writes: ['body', 'text'], reads: 'text' },
  4: { writes: ['text'], reads: 'text' },
} as const;
export type AppVersion = keyof typeof APP_VERSIONS;

export const NotesQuerySchema = z.object({
  app_version: z
    .enum(['1', '2', '3', '4'], { error: 'app_version must be 1, 2, 3 or 4' })
    .default('1')
    .transform((v) => Number(v) as AppVersion)
    .meta({ description: 'the deployed app version (1: body only; 2: writes body and text; 3: reads text; 4: text only)' }),
});

export const CreateNoteSchema = strictBody({
  body: requiredString('body').min(1, 'body must not be empty').max(1_000, 'body must be at most 1,000 characters'),
  priority: z.number({ error: 'priority must be a number' }).int('priority must be a whole number').min(0).max(9).default(0),
  tags: z.array(z.string().max(40), { error: 'tags must be a list of strings' }).max(10).default([]),
});
export type CreateNote = z.infer<typeof CreateNoteSchema>;

/** The API keeps `body` whatever the column is called: a rename inside the database is not the client's business. */
export const NoteSchema = z
  .object({ id: z.number(), user_id: uuid, body: z.string(), priority: z.number(), tags: z.array(z.string()), created_at: timestamp })
  .meta({ id: 'Note' });
export type Note = z.infer<typeof NoteSchema>;
