/**
 * The `policies:` section (and a timeline's added policies): name, query, platforms, team, fail rate,
 * label scope; and the `labels:` and `reports:` a scenario's policy files bring (or written inline),
 * in the shapes of Fleet's `POST /spec/labels` and `/spec/queries` (the server checks the rest).
 */
import { didYouMean } from '../../../lib/did-you-mean.js';
import { POLICY_PLATFORMS } from '../../../contract/platforms.js';
import type { PolicySpec } from '../../../contract/fleet-spec.js';
import type { LabelSpecBody, QuerySpecBody } from '../../../contract/fleet-rest.js';
import { array, bool, fail, int, num, object, oneOf, str, type FieldSpec, type Validator } from '../validate.js';

/** The policy platforms Fleet accepts (a comma list; empty = every platform). */
const policyPlatform: Validator<string> = (value, path, ctx) => {
  const text = str()(value, path, ctx);
  if (text === undefined) return undefined;
  if (text.trim() === '') return text;
  const bad = text.split(',').map((item) => item.trim()).filter((item) => !POLICY_PLATFORMS.includes(item));
  if (bad.length === 0) return text;
  return fail(ctx, path, `has ${JSON.stringify(bad[0])}, not one of ${POLICY_PLATFORMS.join(', ')}${didYouMean(bad[0]!, POLICY_PLATFORMS)}`);
};

export const POLICY_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  query: { validate: str({ nonEmpty: true }) },
  description: { validate: str() },
  platform: { validate: policyPlatform },
  team: { validate: str({ nonEmpty: true }) },
  fail_rate: { validate: num({ min: 0, max: 1 }) },
  labels_include_any: { validate: array(str({ nonEmpty: true })) },
  labels_exclude_any: { validate: array(str({ nonEmpty: true })) },
};

export const policyValidator = object<PolicySpec>(POLICY_FIELDS);

export const LABEL_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  description: { validate: str() },
  query: { validate: str() },
  platform: { validate: str() },
  label_membership_type: { validate: oneOf(['dynamic', 'manual'] as const) },
  hosts: { validate: array(str({ nonEmpty: true })) },
};

export const labelValidator = object<LabelSpecBody>(LABEL_FIELDS);

export const REPORT_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  query: { validate: str({ nonEmpty: true }), required: true },
  description: { validate: str() },
  team: { validate: str() },
  interval: { validate: int({ min: 0 }) },
  platform: { validate: str() },
  min_osquery_version: { validate: str() },
  automations_enabled: { validate: bool() },
  logging: { validate: oneOf(['snapshot', 'differential', 'differential_ignore_removals'] as const) },
  discard_data: { validate: bool() },
  observer_can_run: { validate: bool() },
};

export const reportValidator = object<QuerySpecBody>(REPORT_FIELDS);
