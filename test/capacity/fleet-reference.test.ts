import { describe, expect, it } from 'vitest';
import { FLEET_REQ_PER_S_PER_HOST } from '../../capacity/fleet-reference.js';

describe("Fleet's published figures", () => {
  it("Fleet's published osquery-only rate is ≈ 0.134 req/s/host", () => {
    expect(FLEET_REQ_PER_S_PER_HOST).toBeCloseTo(0.1336, 3);
  });
});
