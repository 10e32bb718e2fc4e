/**
 * How deep a YAML text nests flow collections (`[`, `{`), counted before the text reaches the
 * `yaml` library. That library reads flow collections recursively: past ≈ 780 levels it reports
 * "Maximum call stack size exceeded", and a second such parse in the same process can abort Node
 * outright (V8 "FATAL ERROR: RegExpCompiler Allocation failed - process out of memory", exit 134):
 * `osqsim policies apply -f` parses the file twice (policies, then labels) and died on a 20 KB
 * file of 10,000 `[`. Found by fuzzing (docs/RELIABILITY.md "Fuzzing").
 *
 * The count skips quoted scalars (a quote opens one only where a node starts) and comments; it may
 * miss brackets (then the parser decides, as before), never invent them beyond an unbalanced
 * bracket in a block scalar.
 */

/** No fleetctl file nests more than a few levels; anything past this is refused before parsing. */
export const MAX_FLOW_NESTING = 100;

export function flowNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const before = i === 0 ? '\n' : text[i - 1]!;
    if (c === '[' || c === '{') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === ']' || c === '}') {
      if (depth > 0) depth--;
    } else if ((c === '"' || c === "'") && /[\s[{,:-]/.test(before)) {
      // To the closing quote: `\"` escapes in double quotes, `''` in single quotes (two quotes in a row close and reopen).
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '#' && /\s/.test(before)) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    }
  }
  return deepest;
}

/** The problem of a text nested past MAX_FLOW_NESTING, or undefined. */
export function flowNestingProblem(text: string): string | undefined {
  const depth = flowNestingDepth(text);
  return depth > MAX_FLOW_NESTING ? `flow collections ([ ] or { }) nested ${depth} levels deep; at most ${MAX_FLOW_NESTING} are read` : undefined;
}
