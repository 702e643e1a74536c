import { describe, expect, it } from 'vitest';
import { ms, pct, signedPct } from './format';

/** The browser lab's one number formatter: what a learner reads beside every measurement. */
describe('the browser lab’s number formatting', () => {
  it('signs a difference after rounding it, so nothing reads −0.0 %', () => {
    expect(signedPct(0.0321)).toBe('+3.2 %');
    expect(signedPct(-0.01)).toBe('−1.0 %');
    expect(signedPct(-0.0004)).toBe('0.0 %');
    expect(signedPct(0.0004)).toBe('0.0 %');
    expect(signedPct(-0.12345, 2)).toBe('−12.35 %');
  });

  it('keeps milliseconds and shares readable', () => {
    expect(ms(1207.109)).toBe('1,207');
    expect(ms(2.71828)).toBe('2.72');
    expect(ms(null)).toBe('–');
    expect(pct(0.1612)).toBe('16.12 %');
  });
});
