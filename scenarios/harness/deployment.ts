/**
 * The server side of a run: one `osqsim server` process, or `server.instances: N` of them on one MySQL
 * store with HAProxy in front (server.load_balancer: haproxy) or without (none: the simulator spreads
 * hosts over the instances' URLs itself). The first instance starts alone (it migrates the schema),
 * the others then start together; HAProxy starts last, once every instance answers. A failure part way
 * stops what was started.
 */
import type { LoadBalancerKind } from '../schema/sections/server.js';
import { HaproxyProcess } from './haproxy-process.js';
import { ServerProcess } from './server-process.js';

export interface DeploymentOptions {
  instances: number;
  loadBalancer: LoadBalancerKind;
  /** `osqsim server` flags (the same for every instance). */
  args: string[];
  serverLog?: (instance: number, line: string) => void;
  /** HAProxy binary (default: looked up, scenarios/harness/haproxy-process.ts). */
  haproxyBinary?: string;
}

export class Deployment {
  readonly servers: ServerProcess[] = [];
  lb: HaproxyProcess | undefined;

  constructor(private readonly options: DeploymentOptions) {}

  /** The URL the harness's REST calls use: the load balancer's, else the first instance's. */
  get url(): string {
    return this.lb?.url ?? this.servers[0]!.url;
  }

  /** Where the simulator sends its requests. */
  get targets(): string[] {
    return this.lb ? [this.lb.url] : this.servers.map((s) => s.url);
  }

  async start(): Promise<void> {
    const { options } = this;
    const make = (index: number): ServerProcess => {
      const log = options.serverLog;
      const server = new ServerProcess({ args: options.args, port: 0, ...(log ? { onLine: (line: string) => log(index, line) } : {}) });
      this.servers.push(server);
      return server;
    };
    try {
      await make(0).start();
      const rest = Array.from({ length: options.instances - 1 }, (_, i) => make(i + 1));
      await Promise.all(rest.map((s) => s.start()));
      if (options.loadBalancer === 'haproxy') {
        this.lb = new HaproxyProcess({ servers: this.servers.map((s) => s.url), ...(options.haproxyBinary !== undefined ? { binary: options.haproxyBinary } : {}) });
        await this.lb.start();
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.lb?.stop();
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
