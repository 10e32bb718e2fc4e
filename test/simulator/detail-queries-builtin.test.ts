/**
 * The built-in fleet answers the server's host-vitals (detail) queries as a real host would: every
 * query a group's platform is sent runs without error (after its discovery query), and the answers
 * ingest into plausible vitals (primary IP, disk space, users, software).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { builtinFleet } from '../../scenarios/fleets/builtin-fleet.js';
import { DETAIL_QUERIES_BY_NAME, detailQueriesFor } from '../../server/osquery/detail-queries.js';
import { type VitalsPiece, mergePiece } from '../../server/osquery/detail-ingest.js';
import { FleetEvaluator, loadSqlJs } from '../../simulator/fleet/evaluator.js';
import { osqueryEnvironment } from '../../simulator/fleet/environment.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

describe('built-in fleet × detail queries', () => {
  it.each(['osquery', 'fleetd'] as const)('every group answers its platform\'s detail queries, and the answers make plausible vitals (%s)', (agent) => {
    const groups = builtinFleet({ agent }).groups;
    const evaluator = new FleetEvaluator(SQL, groups, osqueryEnvironment());
    try {
      groups.forEach((group, index) => {
        const vitals: VitalsPiece = {};
        const skipped: string[] = [];
        for (const detail of detailQueriesFor(group.platform)) {
          if (detail.discovery !== undefined) {
            const discovery = evaluator.answer(index, detail.discovery);
            expect(discovery.status, `${group.name} ${detail.name} discovery: ${discovery.message}`).toBe(0);
            if (discovery.rowCount === 0) {
              skipped.push(detail.name);
              continue;
            }
          }
          const answer = evaluator.answer(index, detail.query);
          expect(answer.status, `${group.name} ${detail.name}: ${answer.message}`).toBe(0);
          const ingest = DETAIL_QUERIES_BY_NAME.get(detail.name)!.ingest;
          mergePiece(vitals, ingest(answer.rows, { platform: group.platform, publicIp: '', now: new Date('2026-12-05T00:00:00Z') }));
        }
        // No disk_space table on osquery's macOS; orbit's tables (macadmins mdm on Macs, orbit_info
        // everywhere) answer on fleetd hosts only, so their discovery skips them on plain osquery.
        const orbitOnly = agent === 'fleetd' ? [] : ['fleet_detail_query_orbit_info'];
        const macSkipped = agent === 'fleetd' ? ['fleet_detail_query_disk_space_darwin'] : ['fleet_detail_query_disk_space_darwin', 'fleet_detail_query_mdm', ...orbitOnly];
        if (group.platform === 'darwin') expect(skipped.sort()).toEqual(macSkipped.sort());
        else expect(skipped).toEqual(orbitOnly);
        expect(vitals.host?.primaryIp, group.name).toMatch(/^(10|172|192)\./);
        expect(vitals.host?.primaryMac, group.name).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(vitals.host?.osqueryVersion, group.name).toBe(group.osquery_version);
        expect(vitals.host?.memory, group.name).toBeGreaterThan(0);
        expect(vitals.diskSpace?.gigsTotal, group.name).toBeGreaterThan(0);
        expect(vitals.users?.length, group.name).toBeGreaterThan(0);
        expect(vitals.software?.length, group.name).toBeGreaterThan(2);
        if (group.platform === 'darwin') expect(vitals.batteries?.length, group.name).toBe(1);
        if (group.platform === 'windows') expect(vitals.mdm, group.name).toBeDefined();
        // fleetd hosts' orbit_info row reaches host_orbit_info; plain osquery hosts have none.
        if (agent === 'fleetd') expect(vitals.orbitInfo?.version, group.name).toMatch(/^\d+\.\d+\.\d+$/);
        else expect(vitals.orbitInfo, group.name).toBeUndefined();
      });
    } finally {
      evaluator.close();
    }
  });
});
