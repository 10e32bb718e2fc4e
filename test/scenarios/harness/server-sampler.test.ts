/** ServerSampler against a stand-in server: rates of the counters it reads, including scheduled-query result rows. */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ServerSampler } from '../../../scenarios/harness/server-sampler.js';
import { renderSummary } from '../../../reports/summary.js';
import { syntheticResult } from '../../reports/fixture.js';

describe('ServerSampler', () => {
  it('reports membership rows and scheduled-query result rows per second from /metrics (0 before the first result)', async () => {
    let metrics = 'osqsim_ingest_rows_total 10\n';
    const server = createServer((request, response) => {
      response.end(request.url === '/metrics' ? metrics : 'ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const sampler = new ServerSampler({ pid: process.pid, url });
      expect(await sampler.sample(0)).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = 'osqsim_ingest_rows_total 10\n';
      const idle = await sampler.sample(1);
      expect(idle).toMatchObject({ membership_writes_per_s: 0, scheduled_query_rows_per_s: 0 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = 'osqsim_ingest_rows_total 10\nosqsim_scheduled_query_rows_total{query_id="1"} 30\nosqsim_scheduled_query_rows_total{query_id="2"} 20\n';
      const busy = await sampler.sample(2);
      expect(busy?.scheduled_query_rows_per_s).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('summary.md', () => {
  it('shows scheduled-query result rows only when the run had some', () => {
    const quiet = syntheticResult();
    expect(renderSummary(quiet)).not.toContain('scheduled-query result rows');
    const busy = syntheticResult();
    busy.server!.samples = busy.server!.samples.map((s, i) => ({ ...s, scheduled_query_rows_per_s: i % 2 === 0 ? 10 : 0 }));
    expect(renderSummary(busy)).toMatch(/\| scheduled-query result rows received \(avg \/ max\) \| 5(\.0)? \/ 10(\.0)? rows\/s \|/);
  });
});
