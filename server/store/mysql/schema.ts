/**
 * The MySQL schema (DESIGN §3), Fleet-shaped (reference fleet-policies.md §4), as idempotent
 * migrations: every statement is CREATE … IF NOT EXISTS and applied versions are recorded in
 * schema_migrations, so migrate() can run at every start and on several instances at once.
 *
 * Portable between MariaDB 10.11 and MySQL 8: DATETIME(3) (no time-zone conversion; the pool
 * reads and writes UTC), explicit utf8mb4_unicode_ci, GENERATED ALWAYS AS … STORED.
 */

import { BUILTIN_LABELS } from '../label-rules.js';

/** Inserts the built-in labels missing by name (Fleet seeds them in data migrations); idempotent. */
export const BUILTIN_LABELS_SEED = `INSERT IGNORE INTO labels (name, description, query, platform, label_type, label_membership_type, created_at, updated_at) VALUES ${BUILTIN_LABELS.map(
  (label) => `(${[label.name, label.description, label.query].map(sqlString).join(', ')}, '', 1, 0, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
).join(', ')}`;

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  description VARCHAR(255) NOT NULL DEFAULT '',
  applied_at DATETIME(3) NOT NULL
) ${TABLE_OPTIONS}`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema: teams, enroll_secrets, hosts, host_seen_times, policies, policy_membership, policy_stats, locks, stats_runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS teams (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        description VARCHAR(1023) NOT NULL DEFAULT '',
        created_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_teams_name (name)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS enroll_secrets (
        secret VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        team_id INT UNSIGNED NULL,
        created_at DATETIME(3) NOT NULL,
        KEY idx_enroll_secrets_team_id (team_id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS hosts (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        osquery_host_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        node_key VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        team_id INT UNSIGNED NULL,
        platform VARCHAR(255) NOT NULL DEFAULT '',
        fleet_platform VARCHAR(32) NOT NULL DEFAULT '',
        hostname VARCHAR(255) NOT NULL DEFAULT '',
        uuid VARCHAR(255) NOT NULL DEFAULT '',
        hardware_serial VARCHAR(255) NOT NULL DEFAULT '',
        os_version VARCHAR(255) NOT NULL DEFAULT '',
        osquery_version VARCHAR(255) NOT NULL DEFAULT '',
        uptime_seconds BIGINT NOT NULL DEFAULT 0,
        detail_updated_at DATETIME(3) NOT NULL,
        policy_updated_at DATETIME(3) NOT NULL,
        refetch_requested TINYINT(1) NOT NULL DEFAULT 0,
        distributed_interval INT NOT NULL DEFAULT 0,
        logger_tls_period INT NOT NULL DEFAULT 0,
        config_tls_refresh INT NOT NULL DEFAULT 0,
        last_enrolled_at DATETIME(3) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_osquery_host_id (osquery_host_id),
        UNIQUE KEY idx_host_unique_nodekey (node_key),
        KEY idx_hosts_team_id (team_id),
        KEY idx_hosts_fleet_platform (fleet_platform)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS host_seen_times (
        host_id INT UNSIGNED NOT NULL PRIMARY KEY,
        seen_time DATETIME(3) NOT NULL,
        KEY idx_host_seen_times_seen_time (seen_time)
      ) ${TABLE_OPTIONS}`,
      // checksum = MD5(CONCAT_WS(CHAR(0), COALESCE(team_id, ''), name)): the name is unique per team scope.
      `CREATE TABLE IF NOT EXISTS policies (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        team_id INT UNSIGNED NULL,
        name VARCHAR(255) NOT NULL,
        query MEDIUMTEXT NOT NULL,
        description MEDIUMTEXT NOT NULL,
        resolution TEXT NOT NULL,
        platforms VARCHAR(255) NOT NULL DEFAULT '',
        critical TINYINT(1) NOT NULL DEFAULT 0,
        author_id INT UNSIGNED NULL,
        author_name VARCHAR(255) NOT NULL DEFAULT '',
        author_email VARCHAR(255) NOT NULL DEFAULT '',
        checksum BINARY(16) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_policies_checksum (checksum),
        KEY idx_policies_team_id (team_id)
      ) ${TABLE_OPTIONS}`,
      // No foreign keys: membership rows are removed explicitly (as Fleet does for hosts) so the
      // ingest upsert takes no shared locks on parent rows.
      `CREATE TABLE IF NOT EXISTS policy_membership (
        policy_id INT UNSIGNED NOT NULL,
        host_id INT UNSIGNED NOT NULL,
        passes TINYINT(1) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (policy_id, host_id),
        KEY idx_policy_membership_host_id_passes (host_id, passes)
      ) ${TABLE_OPTIONS}`,
      // inherited_team_id_char lets NULL (the overall count) take part in the unique upsert key.
      // Counts are signed so a delta strategy's drift stays visible instead of failing the write.
      `CREATE TABLE IF NOT EXISTS policy_stats (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        policy_id INT UNSIGNED NOT NULL,
        inherited_team_id INT UNSIGNED NULL,
        passing_host_count INT NOT NULL DEFAULT 0,
        failing_host_count INT NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL,
        inherited_team_id_char CHAR(10) GENERATED ALWAYS AS (IF(inherited_team_id IS NULL, 'global', CAST(inherited_team_id AS CHAR))) STORED,
        UNIQUE KEY idx_policy_stats_policy_team (policy_id, inherited_team_id_char)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS locks (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        owner VARCHAR(255) NOT NULL,
        expires_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_locks_name (name)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS stats_runs (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        strategy VARCHAR(32) NOT NULL,
        instance VARCHAR(255) NOT NULL,
        started_at DATETIME(3) NOT NULL,
        duration_ms DOUBLE NOT NULL,
        rows_scanned BIGINT NOT NULL,
        policies_updated INT NOT NULL,
        drift BIGINT NOT NULL,
        KEY idx_stats_runs_started_at (started_at)
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 2,
    description: 'host change feed: hosts.changed_at (DB clock), host_deletions tombstones, change_counters (policies version)',
    statements: [
      // TIMESTAMP (stored in UTC whatever a session's time zone) set by the database on every
      // change of the row: no statement can forget to bump it, and it is on the DB clock that the
      // feed's cursors use. Existing rows get the migration time.
      `ALTER TABLE hosts ADD COLUMN changed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`,
      'ALTER TABLE hosts ADD KEY idx_hosts_changed_at (changed_at)',
      `CREATE TABLE IF NOT EXISTS host_deletions (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        host_id INT UNSIGNED NOT NULL,
        deleted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_host_deletions_deleted_at (deleted_at)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS change_counters (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        value BIGINT UNSIGNED NOT NULL DEFAULT 0
      ) ${TABLE_OPTIONS}`,
      "INSERT IGNORE INTO change_counters (name, value) VALUES ('policies', 0)",
    ],
  },
  {
    version: 3,
    description: 'policy_membership.host_team_id: the host\'s team denormalised (0 = no team, NULL = host unknown) for one-scan counts',
    statements: [
      // Written by every membership writer from the locked hosts row and kept right by team moves,
      // team deletion and enroll, so computePolicyCounts groups by (policy_id, host_team_id) in one
      // scan of policy_membership without joining hosts. NULL = no such host: never counted.
      'ALTER TABLE policy_membership ADD COLUMN host_team_id INT UNSIGNED NULL',
      // Backfill (idempotent): one statement; on a big existing table it holds row locks until done.
      `UPDATE policy_membership pm JOIN hosts h ON h.id = pm.host_id
          SET pm.host_team_id = COALESCE(h.team_id, 0) WHERE pm.host_team_id IS NULL`,
    ],
  },
  {
    version: 4,
    description: 'policy_membership (policy_id, host_team_id, passes): the count scan reads a covering, ordered index',
    // GROUP BY policy_id, host_team_id over the clustered index needs a temporary table (≈ 3–4 × a
    // bare GROUP BY policy_id at 10M rows); over this index it streams, about as fast as the bare one.
    statements: ['ALTER TABLE policy_membership ADD KEY idx_policy_membership_policy_team (policy_id, host_team_id, passes)'],
  },
  {
    version: 5,
    description: 'policies.query_changed_at: when an edit last changed the query or platforms (hosts re-run the policy)',
    statements: ['ALTER TABLE policies ADD COLUMN query_changed_at DATETIME(3) NULL'],
  },
  {
    version: 6,
    description: 'teams.name unique case-insensitively (utf8mb4_unicode_ci, as Fleet): "teama" conflicts with "TeamA"',
    statements: [
      // Names that only differ by case (allowed before) would fail the new key: all but the oldest
      // get their id appended. Idempotent: nothing matches once the key is case-insensitive.
      `UPDATE teams t JOIN teams o ON o.name COLLATE utf8mb4_unicode_ci = t.name COLLATE utf8mb4_unicode_ci AND o.id < t.id
          SET t.name = CONCAT(LEFT(t.name, 240), ' (', t.id, ')')`,
      'ALTER TABLE teams MODIFY name VARCHAR(255) COLLATE utf8mb4_unicode_ci NOT NULL',
    ],
  },
  {
    version: 7,
    description: 'fleetd: hosts.orbit_node_key (unique, NULL until orbit enrolls) host_device_auth (Fleet Desktop tokens), host_orbit_info',
    statements: [
      // Fleet's hosts.orbit_node_key and host_device_auth (server/datastore/mysql/schema.sql). Re-runs
      // meet 1060/1061 (duplicate column / key), which migrate() treats as applied.
      'ALTER TABLE hosts ADD COLUMN orbit_node_key VARCHAR(255) COLLATE utf8mb4_bin NULL DEFAULT NULL',
      'ALTER TABLE hosts ADD UNIQUE KEY idx_hosts_unique_orbit_node_key (orbit_node_key)',
      `CREATE TABLE IF NOT EXISTS host_device_auth (
        host_id INT UNSIGNED NOT NULL PRIMARY KEY,
        token VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_host_device_auth_token (token)
      ) ${TABLE_OPTIONS}`,
      // Fleet's host_orbit_info, written from the osquery detail query orbit_info.
      `CREATE TABLE IF NOT EXISTS host_orbit_info (
        host_id INT UNSIGNED NOT NULL PRIMARY KEY,
        version VARCHAR(50) NOT NULL DEFAULT '',
        desktop_version VARCHAR(50) NULL,
        scripts_enabled TINYINT(1) NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 8,
    description: 'labels: labels (built-ins seeded), label_membership, policy_labels, hosts.label_updated_at',
    statements: [
      // Fleet's hosts.label_updated_at; new hosts get the long-ago default and are due their labels at once.
      "ALTER TABLE hosts ADD COLUMN label_updated_at DATETIME(3) NOT NULL DEFAULT '2000-01-01 00:00:00.000'",
      // Fleet's labels (server/datastore/mysql/schema.sql): name unique across all labels (the
      // table's utf8mb4_unicode_ci compares case-insensitively); label_type 0 regular, 1 builtin;
      // label_membership_type 0 dynamic, 1 manual.
      `CREATE TABLE IF NOT EXISTS labels (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        description MEDIUMTEXT NOT NULL,
        query MEDIUMTEXT NOT NULL,
        platform VARCHAR(255) NOT NULL DEFAULT '',
        label_type TINYINT UNSIGNED NOT NULL DEFAULT 1,
        label_membership_type TINYINT UNSIGNED NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_label_unique_name (name)
      ) ${TABLE_OPTIONS}`,
      // A row means "member" (Fleet's label_membership: PRIMARY KEY (host_id, label_id), KEY (label_id)).
      `CREATE TABLE IF NOT EXISTS label_membership (
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL,
        label_id INT UNSIGNED NOT NULL,
        host_id INT UNSIGNED NOT NULL,
        PRIMARY KEY (host_id, label_id),
        KEY idx_lm_label_id (label_id)
      ) ${TABLE_OPTIONS}`,
      // Fleet's policy_labels; exclude 0 = labels_include_any, 1 = labels_exclude_any. No foreign
      // keys (as policy_membership): label and policy deletes remove their rows explicitly.
      `CREATE TABLE IF NOT EXISTS policy_labels (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        policy_id INT UNSIGNED NOT NULL,
        label_id INT UNSIGNED NOT NULL,
        exclude TINYINT(1) NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        UNIQUE KEY idx_policy_labels_policy_label (policy_id, label_id),
        KEY idx_policy_labels_label_id (label_id)
      ) ${TABLE_OPTIONS}`,
      BUILTIN_LABELS_SEED,
    ],
  },
  {
    version: 9,
    description: 'host vitals: hosts columns from detail queries, host_disks, host_users, software, host_software, host_mdm, host_batteries',
    // Fleet's tables (server/datastore/mysql/schema.sql; reference fleet-host-vitals.md §1.7), with
    // the columns osqsim's detail queries write. No foreign keys, as for policy_membership.
    statements: [
      `ALTER TABLE hosts
        ADD COLUMN platform_like VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN code_name VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN build VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN memory BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN cpu_type VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN cpu_subtype VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN cpu_brand VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN cpu_physical_cores INT NOT NULL DEFAULT 0,
        ADD COLUMN cpu_logical_cores INT NOT NULL DEFAULT 0,
        ADD COLUMN hardware_vendor VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN hardware_model VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN hardware_version VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN computer_name VARCHAR(255) NOT NULL DEFAULT '',
        ADD COLUMN primary_ip VARCHAR(45) NOT NULL DEFAULT '',
        ADD COLUMN primary_mac VARCHAR(17) NOT NULL DEFAULT '',
        ADD COLUMN public_ip VARCHAR(45) NOT NULL DEFAULT '',
        ADD COLUMN last_restarted_at DATETIME(3) NULL`,
      `CREATE TABLE IF NOT EXISTS host_disks (
        host_id INT UNSIGNED NOT NULL PRIMARY KEY,
        gigs_disk_space_available DECIMAL(10,2) NOT NULL DEFAULT 0,
        percent_disk_space_available DECIMAL(10,2) NOT NULL DEFAULT 0,
        gigs_total_disk_space DECIMAL(10,2) NOT NULL DEFAULT 0,
        gigs_all_disk_space DECIMAL(10,2) NULL,
        encrypted TINYINT(1) NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS host_users (
        host_id INT UNSIGNED NOT NULL,
        uid BIGINT NOT NULL,
        username VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        groupname VARCHAR(255) NOT NULL DEFAULT '',
        user_type VARCHAR(255) NOT NULL DEFAULT '',
        shell VARCHAR(255) NOT NULL DEFAULT '',
        removed_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (host_id, uid, username)
      ) ${TABLE_OPTIONS}`,
      // checksum = MD5 over the identity columns (server/store/vitals-rules.ts softwareChecksum).
      `CREATE TABLE IF NOT EXISTS software (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        version VARCHAR(255) NOT NULL DEFAULT '',
        source VARCHAR(64) NOT NULL,
        bundle_identifier VARCHAR(255) NOT NULL DEFAULT '',
        \`release\` VARCHAR(64) NOT NULL DEFAULT '',
        arch VARCHAR(16) NOT NULL DEFAULT '',
        vendor VARCHAR(255) NOT NULL DEFAULT '',
        extension_id VARCHAR(255) NOT NULL DEFAULT '',
        extension_for VARCHAR(64) NOT NULL DEFAULT '',
        checksum BINARY(16) NOT NULL,
        UNIQUE KEY idx_software_checksum (checksum),
        KEY idx_software_name (name)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS host_software (
        host_id INT UNSIGNED NOT NULL,
        software_id INT UNSIGNED NOT NULL,
        last_opened_at DATETIME(3) NULL,
        PRIMARY KEY (host_id, software_id),
        KEY idx_host_software_software_id (software_id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS host_mdm (
        host_id INT UNSIGNED NOT NULL PRIMARY KEY,
        enrolled TINYINT(1) NOT NULL DEFAULT 0,
        server_url VARCHAR(255) NOT NULL DEFAULT '',
        installed_from_dep TINYINT(1) NOT NULL DEFAULT 0,
        is_server TINYINT(1) NULL,
        name VARCHAR(255) NOT NULL DEFAULT '',
        updated_at DATETIME(3) NOT NULL
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS host_batteries (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        host_id INT UNSIGNED NOT NULL,
        serial_number VARCHAR(255) NOT NULL,
        cycle_count INT NOT NULL DEFAULT 0,
        health VARCHAR(40) NOT NULL DEFAULT '',
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_host_batteries_host_id_serial_number (host_id, serial_number)
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 10,
    description: 'scheduled queries (Fleet: queries) and their reports (query_results, capped per query)',
    statements: [
      // Fleet's queries table (server/datastore/mysql/schema.sql): unique per (team_id_char, name),
      // team_id_char '' for global queries because NULLs never collide in a unique key.
      `CREATE TABLE IF NOT EXISTS queries (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        team_id INT UNSIGNED NULL,
        team_id_char VARCHAR(20) NOT NULL DEFAULT '',
        name VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        description TEXT NOT NULL,
        query MEDIUMTEXT NOT NULL,
        schedule_interval INT UNSIGNED NOT NULL DEFAULT 0,
        platform VARCHAR(255) NOT NULL DEFAULT '',
        min_osquery_version VARCHAR(255) NOT NULL DEFAULT '',
        automations_enabled TINYINT(1) NOT NULL DEFAULT 0,
        logging_type VARCHAR(255) NOT NULL DEFAULT 'snapshot',
        discard_data TINYINT(1) NOT NULL DEFAULT 1,
        observer_can_run TINYINT(1) NOT NULL DEFAULT 0,
        saved TINYINT(1) NOT NULL DEFAULT 1,
        author_id INT UNSIGNED NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        UNIQUE KEY idx_team_id_name_unq (team_id_char, name),
        KEY idx_queries_team_schedule (team_id_char, schedule_interval)
      ) ${TABLE_OPTIONS}`,
      // Fleet's query_results: one row per result row (data = the row as JSON), or one row with
      // data NULL for a run that returned nothing. has_data (= data IS NOT NULL) and its index let
      // the per-query row count read the index alone, as Fleet's 2026 schema (has_data,
      // idx_query_id_has_data_host_id_last_fetched); the host index serves host deletion.
      `CREATE TABLE IF NOT EXISTS query_results (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        query_id INT UNSIGNED NOT NULL,
        host_id INT UNSIGNED NOT NULL,
        osquery_version VARCHAR(50) NULL,
        error TEXT NULL,
        last_fetched DATETIME(3) NOT NULL,
        data JSON NULL,
        has_data TINYINT(1) NOT NULL DEFAULT 0,
        KEY idx_query_id_host_id_last_fetched (query_id, host_id, last_fetched),
        KEY idx_query_id_has_data_host_id (query_id, has_data, host_id),
        KEY idx_query_results_host_id (host_id)
      ) ${TABLE_OPTIONS}`,
    ],
  },
];

/**
 * MySQL errors a re-run of a migration statement may raise when a previous run applied it but died
 * before recording the version (ALTER TABLE has no IF NOT EXISTS on MySQL 8): duplicate column,
 * duplicate key name. migrate() treats them as "already applied".
 */
export const ALREADY_APPLIED_ERRNOS: ReadonlySet<number> = new Set([1060, 1061]);

/** Tables the store owns, for tests and tooling (all but schema_migrations). */
export const TABLES: readonly string[] = [
  'teams', 'enroll_secrets', 'hosts', 'host_seen_times', 'policies', 'policy_membership', 'policy_stats', 'locks', 'stats_runs',
  'host_deletions', 'change_counters', 'host_device_auth', 'host_orbit_info', 'labels', 'label_membership', 'policy_labels',
  'host_disks', 'host_users', 'software', 'host_software', 'host_mdm', 'host_batteries', 'queries', 'query_results',
];
