import { z } from 'zod';

const MAX_NAME = 100;
const MAX_EMAIL = 255;

const requiredString = (field: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`) });

const name = (field: string) =>
  requiredString(field)
    .trim()
    .min(1, `${field} must not be empty`)
    .max(MAX_NAME, `${field} must be at most ${MAX_NAME} characters`);

const email = z
  .string({ error: 'email must be a string' })
  .trim()
  .max(MAX_EMAIL, `email must be at most ${MAX_EMAIL} characters`)
  .pipe(z.email({ error: 'email must be a valid e-mail address' }));

/** Unknown keys are rejected: the original silently ignored `name`/`firstName` and stored empty names. */
export const CreateUserSchema = z.strictObject(
  { first_name: name('first_name'), last_name: name('last_name'), email: email.optional() },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
export type CreateUser = z.infer<typeof CreateUserSchema>;

/** Partial update: omitted fields keep their value (the original blanked them); `email: null` clears the e-mail. */
export const UpdateUserSchema = z
  .strictObject(
    { first_name: name('first_name').optional(), last_name: name('last_name').optional(), email: email.nullable().optional() },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
  )
  .refine((u) => u.first_name !== undefined || u.last_name !== undefined || u.email !== undefined, {
    message: 'give at least one of first_name, last_name, email',
  });
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const ListUsersQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be an integer')
    .min(1, 'limit must be between 1 and 100')
    .max(100, 'limit must be between 1 and 100')
    .default(20),
  cursor: z.string().min(1, 'cursor must not be empty').optional(),
  partial: z.enum(['true', 'false'], { error: 'partial must be true or false' }).default('false').transform((v) => v === 'true'),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuerySchema>;

export interface User {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  created_at: string;
  updated_at: string;
}
