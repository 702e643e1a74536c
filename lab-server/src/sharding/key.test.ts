import { describe, expect, it } from 'vitest';
import { InvalidKeyError, isUuid, normalizeKey } from './key.js';

describe('normalizeKey', () => {
  it('lower-cases a UUID of any letter case', () => {
    expect(normalizeKey('123E4567-E89B-12D3-A456-426614174000')).toBe('123e4567-e89b-12d3-a456-426614174000');
    expect(normalizeKey('123e4567-E89b-12d3-A456-426614174000')).toBe('123e4567-e89b-12d3-a456-426614174000');
  });

  it('tolerates surrounding whitespace', () => {
    expect(normalizeKey('  019478A1-3C5F-7D9E-8B3C-4A5F6E7D8C9B\n')).toBe('019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b');
  });

  it.each([
    'abc',
    '',
    '123e4567e89b12d3a456426614174000', // no hyphens
    '{123e4567-e89b-12d3-a456-426614174000}',
    '123e4567-e89b-12d3-a456-42661417400', // 11 chars in the last group
    '123e4567-e89b-12d3-a456-4266141740000',
    '123e4567-e89b-12d3-a456_426614174000',
    'g23e4567-e89b-12d3-a456-426614174000',
    '123e4567-e89b- 12d3-a456-426614174000',
  ])('rejects %j with InvalidKeyError', (raw) => {
    expect(() => normalizeKey(raw)).toThrow(InvalidKeyError);
  });

  it('names the offending input in the message', () => {
    expect(() => normalizeKey('abc')).toThrow("not a UUID: 'abc'");
    const err = (() => {
      try {
        normalizeKey('abc');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'InvalidKeyError', raw: 'abc' });
  });
});

describe('isUuid', () => {
  it('agrees with normalizeKey', () => {
    expect(isUuid(' 00000000-0000-0000-0000-000000000001 ')).toBe(true);
    expect(isUuid('123E4567-E89B-12D3-A456-426614174000')).toBe(true);
    expect(isUuid('abc')).toBe(false);
    expect(isUuid('123e4567e89b12d3a456426614174000')).toBe(false);
  });
});
