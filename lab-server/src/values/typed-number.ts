/**
 * A number as a learner types it into an answer box, in whichever convention they write: `22.69`, `22,69`,
 * `1,000`, `1 000`, `1.000,5`, `16 %`. A separator that could be either (one `,` or `.` followed by exactly
 * three digits) is read both ways and the range decides; when both readings fit, the learner is asked to
 * write it unambiguously rather than the lab guessing.
 */
export type TypedNumber = { ok: true; value: number } | { ok: false; reason: string };

export interface NumberRange {
  min: number;
  max: number;
}

const SHAPE = /^[+-]?[\d.,\s\u00a0\u202f']+$/;

export function readTypedNumber(typed: string, range: NumberRange = { min: -Infinity, max: Infinity }): TypedNumber {
  const text = typed.trim().replace(/\s*%$/, '');
  if (!text || !SHAPE.test(text) || !/\d/.test(text)) return { ok: false, reason: `“${typed}” is not a number.` };
  const readings = [...new Set(candidates(text))].filter((n) => Number.isFinite(n));
  if (readings.length === 0) return { ok: false, reason: `“${typed}” is not a number.` };
  const fitting = readings.filter((n) => n >= range.min && n <= range.max);
  if (fitting.length === 1) return { ok: true, value: fitting[0]! };
  if (fitting.length === 0) return { ok: false, reason: `${typed} is outside ${range.min} to ${range.max}.` };
  return { ok: false, reason: `“${typed}” could be ${fitting.join(' or ')}; write it without a thousands separator.` };
}

/** Every reading of the text: which of `,` and `.` is the decimal mark, and which groups thousands. */
function candidates(text: string): number[] {
  const bare = text.replace(/[\s\u00a0\u202f']/g, '');
  const commas = (bare.match(/,/g) ?? []).length;
  const dots = (bare.match(/\./g) ?? []).length;
  const read = (group: string, decimal: string) => {
    const grouped = bare.split(group);
    // A grouping mark must separate groups of three digits.
    if (grouped.length > 1 && grouped.slice(1).some((g) => !/^\d{3}(\D|$)/.test(g))) return Number.NaN;
    return Number(grouped.join('').replace(decimal, '.'));
  };
  if (commas && dots) {
    // Both marks: the last one is the decimal mark.
    return bare.lastIndexOf(',') > bare.lastIndexOf('.') ? [read('.', ',')] : [read(',', '.')];
  }
  const mark = commas ? ',' : dots ? '.' : null;
  if (!mark) return [Number(bare)];
  if ((commas || dots) > 1) return [read(mark, mark === ',' ? '.' : ',')];
  const asDecimal = Number(bare.replace(mark, '.'));
  return /^[+-]?\d{1,3}[.,]\d{3}$/.test(bare) ? [asDecimal, read(mark, mark === ',' ? '.' : ',')] : [asDecimal];
}
