/**
 * The `target:` section: a server someone else runs (osqsim's or Fleet). Then only the simulator
 * runs, and the policy counts are read only when an API token is given.
 */
import { array, object, str, type FieldSpec, type Validator } from '../validate.js';

export interface TargetSection {
  url: string[];
  /** Bearer token of the target's REST API: with it the harness reads counts and applies policy events. */
  api_token?: string;
  /** Enroll secret the simulated hosts use on the target (defaults to the scenario's enroll_secret). */
  enroll_secret?: string;
}

const urlValidator: Validator<string> = (value, path, ctx) => {
  const text = str({ nonEmpty: true })(value, path, ctx);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return text.replace(/\/+$/, '');
  } catch {
    ctx.issues.push({ path, message: `must be an http(s) URL like https://fleet.example.com, got ${JSON.stringify(text)}` });
    return undefined;
  }
};

const urlListValidator: Validator<string[]> = (value, path, ctx) => {
  if (Array.isArray(value)) return array(urlValidator, { minItems: 1 })(value, path, ctx);
  const one = urlValidator(value, path, ctx);
  return one === undefined ? undefined : [one];
};

const TARGET_FIELDS: Record<string, FieldSpec> = {
  url: { validate: urlListValidator, required: true },
  api_token: { validate: str({ nonEmpty: true }) },
  enroll_secret: { validate: str({ nonEmpty: true }) },
};

const targetObject = object<TargetSection>(TARGET_FIELDS);

/** Validator of `target:`; a bare URL (or list of URLs) is shorthand for `{url: …}`. */
export const targetSectionValidator: Validator<TargetSection> = (value, path, ctx) =>
  targetObject(typeof value === 'string' || Array.isArray(value) ? { url: value } : value, path, ctx);
