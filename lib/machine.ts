/**
 * The machine a figure was measured on: every result document, sweep and benchmark carries this
 * one shape, so figures from different tools can be compared (DESIGN §5, §6).
 */
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
