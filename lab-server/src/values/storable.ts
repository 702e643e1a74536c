/**
 * PostgreSQL cannot store U+0000 in text, and a lone UTF-16 surrogate would reach it as U+FFFD, silently changed.
 * `http/validation.ts` checks every validated value with it, so no field of any route can carry one to a shard.
 */
export function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
