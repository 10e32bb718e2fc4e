/**
 * The target of bench/simulator.ts (its child process): a bare fastify app answering the osquery
 * routes with fixed bodies and no work behind them. Prints its URL on the first line; takes no flags.
 */
import Fastify from 'fastify';
import { benchFlags } from './harness.js';

benchFlags({});
const app = Fastify({ logger: false });
let key = 0;
app.post('/api/osquery/enroll', async () => ({ node_key: `k${++key}` }));
app.post('/api/osquery/config', async () => ({ options: { distributed_interval: 10, logger_tls_period: 10, config_refresh: 60 }, packs: {} }));
app.post('/api/osquery/distributed/read', async () => ({ queries: {}, discovery: {} }));
app.post('/api/osquery/distributed/write', async () => ({}));
app.post('/api/osquery/log', async () => ({}));
// The accept queue as deep as the kernel allows (net.core.somaxconn caps it), as Go's net.Listen (Fleet)
// sizes it: with Node's default of 511, a burst of new agent connections overflows it and the dropped
// SYNs come back only after TCP's 1 s, 3 s, 7 s … retransmits, which would be measured as latency.
const url = await app.listen({ host: '127.0.0.1', port: 0, backlog: 65535 });
process.stdout.write(`${url}\n`);
