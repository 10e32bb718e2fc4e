/**
 * Numbers for people: thousands separators and a fixed number of decimals, always in en-US style so
 * reports read the same on every machine.
 */

/** `1234.5, 1` → `1,234.5`; `0.1, 3` → `0.100`. */
export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Rounded to a whole number: `150000` → `150,000`. */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
