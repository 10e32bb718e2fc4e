import { describe, expect, it } from 'vitest';
import { formatInteger, formatNumber } from '../../lib/format.js';

describe('number formatting', () => {
  it('uses en-US thousands separators and a fixed number of decimals', () => {
    expect(formatNumber(1234.5, 1)).toBe('1,234.5');
    expect(formatNumber(0.1, 3)).toBe('0.100');
    expect(formatNumber(2.5, 0)).toBe('3');
    expect(formatInteger(149_999.6)).toBe('150,000');
  });
});
