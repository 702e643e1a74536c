import { z } from 'zod';

/** Spec parameters several check kinds share. */
export const count = z.number().int().min(0);
export const percent = z.number().min(0).max(100);
