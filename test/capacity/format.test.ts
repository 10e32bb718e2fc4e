import { describe, expect, it } from 'vitest';
import { stepRange } from '../../capacity/format.js';

describe('figure sources', () => {
  it('names step ranges', () => {
    expect(stepRange([3, 1, 2])).toBe('steps 1–3');
    expect(stepRange([1, 3])).toBe('steps 1, 3');
    expect(stepRange([2])).toBe('step 2');
  });
});
