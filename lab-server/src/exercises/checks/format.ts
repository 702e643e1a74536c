/** Numbers in check messages: thousands separated, percentages with two decimals, as the widgets show them. */
export const fmt = (n: number): string => n.toLocaleString('en-US');
export const pct = (n: number, digits = 2): string => `${n.toFixed(digits)} %`;
