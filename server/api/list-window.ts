/**
 * Fleet's list options over rows already loaded: `query` (name search, case-insensitive), `order_key`
 * (one of the route's keys), `order_direction` (asc or desc; ties by id), `page` (0-based) and
 * `per_page`. One copy for the policies, labels and queries lists.
 */
import { badRequest } from './errors.js';
import { listPaging, queryString } from './validate.js';

export interface ListWindow<T> {
  rows: T[];
  /** Whether a later page has rows (Fleet's meta.has_next_results). */
  hasNext: boolean;
  page: number;
}

export function listWindow<T extends { id: number; name: string }, K extends keyof T & string>(
  list: readonly T[],
  query: Record<string, unknown>,
  orderKeys: readonly K[],
  defaultOrderKey: K,
): ListWindow<T> {
  const search = queryString(query, 'query')?.trim().toLowerCase();
  const found = search ? list.filter((row) => row.name.toLowerCase().includes(search)) : [...list];
  const orderKey = (queryString(query, 'order_key') ?? defaultOrderKey) as K;
  if (!orderKeys.includes(orderKey)) throw badRequest(`invalid order_key "${orderKey}": expected one of ${orderKeys.join(', ')}`);
  const direction = queryString(query, 'order_direction') ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') throw badRequest(`invalid order_direction "${direction}": expected asc or desc`);
  const sign = direction === 'asc' ? 1 : -1;
  const rows = found.sort((a, b) => {
    const x = a[orderKey];
    const y = b[orderKey];
    const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (cmp || a.id - b.id) * sign;
  });
  const { page, perPage } = listPaging(query);
  if (perPage === undefined) return { rows, hasNext: false, page };
  return { rows: rows.slice(page * perPage, page * perPage + perPage), hasNext: rows.length > (page + 1) * perPage, page };
}
