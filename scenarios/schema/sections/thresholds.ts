/** The `thresholds:` section: k6-style pass/fail rules (`read.p99 < 200ms`), kept as written. */
import { parseThreshold } from '../../thresholds.js';
import { array, type Validator } from '../validate.js';

const thresholdValidator: Validator<string> = (value, path, ctx) => {
  if (typeof value !== 'string') {
    ctx.issues.push({ path, message: `must be a threshold like "read.p99 < 200ms", got ${value === null ? 'null' : typeof value}` });
    return undefined;
  }
  const parsed = parseThreshold(value);
  if (!parsed.ok) {
    ctx.issues.push({ path, message: parsed.error });
    return undefined;
  }
  return parsed.threshold.expr;
};

export const thresholdsValidator: Validator<string[]> = array(thresholdValidator);
