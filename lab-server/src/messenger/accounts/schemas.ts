import { z } from 'zod';
import { emailField, requiredString, strictBody, timestamp, uuid, uuidField } from '../schema-parts.js';

export const CreateAccountSchema = strictBody({
  user_id: uuidField('user_id').describe('the user who owns the account; the account lives on their shard'),
  username: requiredString('username')
    .trim()
    .min(3, 'username must be 3 to 32 characters')
    .max(32, 'username must be 3 to 32 characters')
    .regex(/^[A-Za-z0-9_.-]+$/, 'username may contain only letters, digits, _, . and -')
    .describe('unique across all shards, ignoring letter case'),
  email: emailField.describe('unique across all shards, ignoring letter case'),
  password: requiredString('password')
    .min(8, 'password must be 8 to 200 characters')
    .max(200, 'password must be 8 to 200 characters')
    .describe('stored as an scrypt hash; never returned'),
});
export type CreateAccount = z.infer<typeof CreateAccountSchema>;

export const AccountSchema = z.object({ id: uuid, user_id: uuid, username: z.string(), email: z.string(), created_at: timestamp }).meta({ id: 'Account' });
export type Account = z.infer<typeof AccountSchema>;
