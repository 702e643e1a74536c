import { z } from 'zod';

/**
 * A whole number in a query string, written in decimal digits: `Number()` alone would take `2.5` to a fraction,
 * and `0x10`, `1e2` or a blank to numbers nobody typed. Pipe it into the range the parameter allows.
 */
export const decimalQuery = (field: string) =>
  z
    .string({ error: `${field} must be a whole number` })
    .regex(/^\d{1,9}$/, `${field} must be a whole number`)
    .transform(Number);
