/**
 * The `fleet:` section: groups of identical hosts, each with its raw osquery platform, versions,
 * team and osquery tables (rows), plus drift, query errors and query time.
 */
import { didYouMean } from '../../../lib/did-you-mean.js';
import { canonicalRawPlatform, KNOWN_RAW_PLATFORMS } from '../../../contract/platforms.js';
import { HOST_AGENTS, type FleetGroupSpec, type HostAgent, type TableRow, type ValidatedFleet } from '../../../contract/fleet-spec.js';
import { array, bool, fail, int, num, object, record, str, typeName, type FieldSpec, type Validator } from '../validate.js';

const cellValue: Validator<string | number> = (value, path, ctx) => {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return fail(ctx, path, `must be a string or a number, got ${typeName(value)}`);
};

const tableRow: Validator<TableRow> = record(cellValue, {
  key: /^[A-Za-z_][A-Za-z0-9_]*$/,
  keyMessage: 'column names are letters, digits and _',
});

const tablesValidator = record(array(tableRow), { key: /^[A-Za-z_][A-Za-z0-9_]*$/, keyMessage: 'table names are letters, digits and _' });

/**
 * A host's raw osquery platform (darwin, windows, ubuntu, rhel, …), returned as osquery spells it
 * (`Ubuntu` → `ubuntu`): the agent sends this value and the server maps it exactly, as Fleet does.
 * An unknown one would silently match no policy.
 */
const rawPlatform: Validator<string> = (value, path, ctx) => {
  const text = str({ nonEmpty: true })(value, path, ctx);
  if (text === undefined) return undefined;
  const canonical = canonicalRawPlatform(text);
  if (canonical !== undefined) return canonical;
  return fail(ctx, path, `unknown osquery platform ${JSON.stringify(text)}${didYouMean(text, KNOWN_RAW_PLATFORMS)}; known: ${KNOWN_RAW_PLATFORMS.join(', ')}`);
};

const oneOfAgents: Validator<HostAgent> = (value, path, ctx) => {
  const text = str({ nonEmpty: true })(value, path, ctx);
  if (text === undefined) return undefined;
  if ((HOST_AGENTS as readonly string[]).includes(text)) return text as HostAgent;
  return fail(ctx, path, `unknown agent ${JSON.stringify(text)}${didYouMean(text, HOST_AGENTS)}; known: ${HOST_AGENTS.join(', ')}`);
};

export const GROUP_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  count: { validate: int({ min: 0 }) },
  weight: { validate: num({ gt: 0 }) },
  platform: { validate: rawPlatform, required: true },
  os_version: { validate: str({ nonEmpty: true }), required: true },
  osquery_version: { validate: str({ nonEmpty: true }), default: () => '5.12.1' },
  team: { validate: str({ nonEmpty: true }) },
  hostname_prefix: { validate: str({ nonEmpty: true }) },
  agent: { validate: oneOfAgents },
  fleet_desktop: { validate: bool() },
  tables: {
    validate: tablesValidator,
    default: () => ({}),
  },
  variants: { validate: array(object({ tables: { validate: tablesValidator, required: true } })) },
};

const groupValidator = object<FleetGroupSpec>(GROUP_FIELDS, (group, path, ctx) => {
  if (group.count === undefined && group.weight === undefined) fail(ctx, path, 'needs a count or a weight');
  if (group.count !== undefined && group.weight !== undefined) fail(ctx, path, 'takes a count or a weight, not both');
  if (group.fleet_desktop !== undefined && group.agent !== 'fleetd') fail(ctx, `${path}.fleet_desktop`, 'applies to `agent: fleetd` groups only (Fleet Desktop is part of fleetd)');
});

export const FLEET_FIELDS: Record<string, FieldSpec> = {
  groups: { validate: array(groupValidator, { minItems: 1 }), required: true },
  drift: {
    validate: object({ flip_rate_per_hour: { validate: num({ min: 0 }), required: true } }),
    default: () => ({ flip_rate_per_hour: 0 }),
  },
  query_error_rate: { validate: num({ min: 0, max: 1 }), default: () => 0 },
  query_time_ms: {
    validate: object<{ min: number; max: number }>(
      { min: { validate: num({ min: 0 }), required: true }, max: { validate: num({ min: 0 }), required: true } },
      (range, path, ctx) => {
        if (range.max < range.min) fail(ctx, `${path}.max`, 'must be >= min');
      },
    ),
    default: () => ({ min: 0, max: 0 }),
  },
};

export const fleetValidator = object<ValidatedFleet>(FLEET_FIELDS, (fleet, path, ctx) => {
  const names = new Set<string>();
  fleet.groups.forEach((group, i) => {
    if (names.has(group.name)) fail(ctx, `${path}.groups[${i}].name`, `duplicate group name ${JSON.stringify(group.name)}`);
    names.add(group.name);
  });
});
