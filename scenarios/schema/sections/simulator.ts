/**
 * The `simulator:` section: how `osqsim run` runs the simulator. `processes: M` runs it as M
 * `osqsim simulate --shard i/M` processes with one shared `--start-at`, whose results merge exactly
 * (reports/merge.ts) — the same shards a run across several machines uses.
 */
import { int, object, type FieldSpec, type Validator } from '../validate.js';

export interface SimulatorSection {
  /** Simulator processes (shards); 1 = the simulator in the harness's own process (worker threads). */
  processes: number;
}

/** Most simulator processes one machine runs for a scenario. */
export const MAX_SIMULATOR_PROCESSES = 16;

export function simulatorDefaults(): SimulatorSection {
  return { processes: 1 };
}

const fields: Record<string, FieldSpec> = {
  processes: { validate: int({ min: 1, max: MAX_SIMULATOR_PROCESSES }), default: () => 1 },
};

export const simulatorSectionValidator: Validator<SimulatorSection> = object<SimulatorSection>(fields);
