/** Small helpers the MySQL entity files share: batching, id lists, hand-built SQL values, cells. */
import type { RowDataPacket } from 'mysql2/promise';
import type { PolicyPasses } from '../types.js';

/** Rows per multi-row INSERT (DESIGN §3: ≈ 1000). */
export const BULK_ROWS = 1000;

/** A policy_membership row as read back. */
export interface CellRow extends RowDataPacket {
  policy_id: number;
  host_id: number;
  passes: number | null;
  updated_at?: Date;
}

export function toPasses(value: number | null): PolicyPasses {
  return value === null ? null : value === 1;
}

export function passesSql(passes: PolicyPasses): string {
  return passes === null ? 'NULL' : passes ? '1' : '0';
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, for SQL built by hand on the hot path. */
export function sqlDatetime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Distinct ids in ascending order (the order rows are locked in). */
export function ids(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
