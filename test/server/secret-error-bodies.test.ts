/**
 * Error bodies never echo a credential: a wrong enroll secret, node key, orbit node key, device token
 * or API token is answered 401 with a message that names what failed, not the value sent.
 */
import { describe, expect, it } from 'vitest';
import { memoryStores, startTestServer } from './support.js';

describe('error bodies keep credentials out', () => {
  it('answers wrong credentials on every route family without echoing them', async () => {
    const t = await startTestServer(memoryStores);
    try {
      const sent = ['wrong-enroll-9c1f', 'wrong-node-key-77ab', 'wrong-orbit-key-31d0', 'wrong-device-tok-5e2a', 'wrong-api-token-0b4c'];
      const answers = [
        await t.post('/api/osquery/enroll', { enroll_secret: sent[0], host_identifier: 'h1' }),
        await t.post('/api/osquery/config', { node_key: sent[1] }),
        await t.post('/api/osquery/distributed/read', { node_key: sent[1] }),
        await t.post('/api/osquery/distributed/write', { node_key: sent[1], queries: {} }),
        await t.post('/api/fleet/orbit/enroll', { enroll_secret: sent[0], hardware_uuid: 'U-1' }),
        await t.post('/api/fleet/orbit/config', { orbit_node_key: sent[2] }),
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: sent[2], device_auth_token: sent[3] }),
        await t.server.app.inject({ method: 'GET', url: `/api/latest/fleet/device/${sent[3]}/desktop` }),
        await t.server.app.inject({ method: 'GET', url: '/api/latest/fleet/hosts', headers: { authorization: `Bearer ${sent[4]}` } }),
      ];
      for (const answer of answers) {
        expect(answer.statusCode, answer.body).toBe(401);
        for (const secret of sent) expect(answer.body).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});
