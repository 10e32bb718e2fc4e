/**
 * The `simulator:` section: how the simulated agents reach the server. `connections: elastic` (the
 * default) gives each request in flight its own keep-alive connection, opened on demand, as N osquery
 * agents hold N sockets; a number is a fixed pool per worker per target (requests beyond it wait
 * inside the simulator). `transport` picks the HTTP client (raw for http://, undici for https:// by
 * default). The flags `--connections` and `--transport` override the section.
 */
import { TRANSPORT_KINDS, type ConnectionMode, type TransportKind } from '../../../simulator/transport/transport.js';
import { fail, object, oneOf, typeName, type FieldSpec, type Validator } from '../validate.js';

export interface SimulatorSection {
  connections: ConnectionMode;
  transport?: TransportKind;
}

const connectionsValidator: Validator<ConnectionMode> = (value, path, ctx) => {
  if (value === 'elastic') return 'elastic';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  return fail(ctx, path, `must be elastic or a whole number of connections ≥ 1 (a fixed pool per worker per target), got ${typeName(value)}`);
};

const SIMULATOR_FIELDS: Record<string, FieldSpec> = {
  connections: { validate: connectionsValidator, default: () => 'elastic' },
  transport: { validate: oneOf(TRANSPORT_KINDS) },
};

export const simulatorSectionValidator: Validator<SimulatorSection> = object<SimulatorSection>(SIMULATOR_FIELDS);

export function simulatorDefaults(): SimulatorSection {
  return { connections: 'elastic' };
}
