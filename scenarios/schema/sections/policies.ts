/** The `policies:` section (and a timeline's added policies): name, query, platforms, team, fail rate. */
import { didYouMean } from '../../../lib/did-you-mean.js';
import { POLICY_PLATFORMS } from '../../../contract/platforms.js';
import type { PolicySpec } from '../../../contract/fleet-spec.js';
import { fail, num, object, str, type FieldSpec, type Validator } from '../validate.js';

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
};

export const policyValidator = object<PolicySpec>(POLICY_FIELDS);
