/**
 * The `simulator:` section: how `osqsim run` runs the simulator and how the simulated agents reach
 * the server.
 * - `processes: M` runs it as M `osqsim simulate --shard i/M` processes with one shared `--start-at`,
 *   whose results merge exactly (reports/merge.ts) — the same shards a run across several machines uses.
 * - `connections: elastic` (the default) gives each request in flight its own keep-alive connection,
 *   opened on demand, as N osquery agents hold N sockets; a number is a fixed pool per worker per target
 *   (requests beyond it wait inside the simulator).
 * - `transport` picks the HTTP client (raw for http://, undici for https:// by default).
 * The flags `--connections` and `--transport` override the section.
 */
import { TRANSPORT_KINDS, type ConnectionMode, type TransportKind } from '../../../simulator/transport/transport.js';
import { fail, int, object, oneOf, typeName, type FieldSpec, type Validator } from '../validate.js';

export interface SimulatorSection {
  /** Simulator processes (shards); 1 = the simulator in the harness's own process (worker threads). */
  processes: number;
  connections: ConnectionMode;
  transport?: TransportKind;
}

/** Most simulator processes one machine runs for a scenario. */
export const MAX_SIMULATOR_PROCESSES = 16;

const connectionsValidator: Validator<ConnectionMode> = (value, path, ctx) => {
  if (value === 'elastic') return 'elastic';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  return fail(ctx, path, `must be elastic or a whole number of connections ≥ 1 (a fixed pool per worker per target), got ${typeName(value)}`);
};

const SIMULATOR_FIELDS: Record<string, FieldSpec> = {
  processes: { validate: int({ min: 1, max: MAX_SIMULATOR_PROCESSES }), default: () => 1 },
  connections: { validate: connectionsValidator, default: () => 'elastic' },
  transport: { validate: oneOf(TRANSPORT_KINDS) },
};

export const simulatorSectionValidator: Validator<SimulatorSection> = object<SimulatorSection>(SIMULATOR_FIELDS);

export function simulatorDefaults(): SimulatorSection {
  return { processes: 1, connections: 'elastic' };
}
