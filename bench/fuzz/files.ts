/**
 * Every file format osqsim reads, as a fuzz target: a function from the file's text to the exit
 * code of the command that reads it, with its output. The property (checkFileCase): the command
 * returns 0 (or 3 for a regression in compare) or 2 with a message, never 1 (an internal error),
 * never throws, never hangs. The text is a mutated valid document (YAML or JSON) or garbage.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { planCommand } from '../../cli/capacity.js';
import { applyCommand } from '../../cli/policies.js';
import { compareCommand, mergeCommand } from '../../cli/report.js';
import { validateCommand } from '../../cli/scenario.js';
import { parseAllDocuments, stringify as yamlStringify } from 'yaml';
import { parsePolicyYaml } from '../../server/policies/fleetctl-yaml.js';
import { parseLabelYaml } from '../../server/policies/labels-yaml.js';
import { flowNestingDepth } from '../../lib/yaml-depth.js';
import { anyJson, nearValid, rawText } from './arbitraries.js';
import { validFleetctlText, validResult, validScenarioText, validSweep } from './valid-documents.js';
import type { Finding } from './check.js';

export interface FileRun {
  readonly code: number;
  readonly stderr: string;
}

export interface FileTarget {
  readonly name: string;
  /** Texts to try: the file (or, for merge and compare, the second file; the first is valid). */
  readonly texts: () => fc.Arbitrary<string>;
  /** Exit codes that mean "handled": 0, 2 (a message), and 3 where the command reports a regression. */
  readonly allowed: readonly number[];
  run(dir: string, text: string): Promise<FileRun>;
}

function yamlTexts(valid: string): fc.Arbitrary<string> {
  // A fleetctl file holds several documents: they are mutated as one array and written back with `---`.
  const documents = parseAllDocuments(valid) as Array<{ toJS(): unknown }>;
  const document = documents.length === 1 ? documents[0]!.toJS() : documents.map((d) => d.toJS());
  const write = (doc: unknown): string => (documents.length > 1 && Array.isArray(doc) ? doc.map(safeYaml).join('---\n') : safeYaml(doc));
  return fc.oneof(
    { weight: 6, arbitrary: nearValid(document).map(write) },
    { weight: 2, arbitrary: anyJson.map((doc) => safeYaml(doc)) },
    { weight: 2, arbitrary: rawText },
    { weight: 1, arbitrary: fc.constantFrom('a: &a [*a]', 'a: !!binary xyz', '- - - -', 'key: value\n  bad: indent', '%YAML 9.9\n---\na: 1', '? [a]\n: b', 'a: *missing', '\t', '---\n---\n---', 'a: 1\na: 2') },
  );
}

/**
 * YAML text of a value. JSON is YAML: deeply nested values are written as JSON (block style indents
 * every level, so 2,000 levels would be megabytes of spaces and the run would time the generator,
 * not the reader), and so is anything YAML cannot write (a lone surrogate).
 */
function safeYaml(value: unknown): string {
  const json = JSON.stringify(value) ?? '';
  if ((json.match(/[[{]/g)?.length ?? 0) > 100) return json;
  try {
    return yamlStringify(value, { aliasDuplicateObjects: false }) ?? '';
  } catch {
    return JSON.stringify(value) ?? '';
  }
}

function jsonTexts(valid: unknown): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: nearValid(valid).map((doc) => JSON.stringify(doc) ?? '') },
    { weight: 2, arbitrary: anyJson.map((doc) => JSON.stringify(doc) ?? '') },
    { weight: 2, arbitrary: rawText },
  );
}

function capture(): { write: (text: string) => void; text: () => string } {
  const chunks: string[] = [];
  return { write: (t) => chunks.push(t), text: () => chunks.join('') };
}

const VALID_RESULT_TEXT = (): string => JSON.stringify(validResult(0, 2));


export const FILE_TARGETS: readonly FileTarget[] = [
  {
    name: 'scenario YAML (osqsim scenario validate)',
    texts: () => yamlTexts(validScenarioText()),
    allowed: [0, 2],
    async run(dir, text) {
      const file = join(dir, 'scenario.yaml');
      writeFileSync(file, text);
      const err = capture();
      return { code: validateCommand([file], () => undefined, err.write), stderr: err.text() };
    },
  },
  {
    name: 'fleetctl YAML (osqsim policies apply)',
    texts: () => yamlTexts(validFleetctlText()).map((text) => text),
    // A file that parses is sent to the server, so only files with problems are judged here (the
    // parsers must not throw on any text; the whole-file route is fuzzed as POST /api/v1/osqsim/spec).
    allowed: [0, 2],
    async run(dir, text) {
      // A file without problems would be sent to a server: not this target's business (see above).
      if (parsePolicyYaml(text, 'policies.yml').errors.length === 0 && parseLabelYaml(text).errors.length === 0) return { code: 0, stderr: '' };
      const file = join(dir, 'policies.yml');
      writeFileSync(file, text);
      const err = capture();
      return { code: await applyCommand(file, { url: 'http://127.0.0.1:9', token: 'fuzz' }, { out: () => undefined, err: (t) => err.write(`${t}\n`) }), stderr: err.text() };
    },
  },
  {
    name: 'result JSON (osqsim report merge)',
    texts: () => jsonTexts(validResult(1, 2)),
    allowed: [0, 2],
    async run(dir, text) {
      writeFileSync(join(dir, 'a.json'), VALID_RESULT_TEXT());
      writeFileSync(join(dir, 'b.json'), text);
      const err = capture();
      return { code: mergeCommand([join(dir, 'a.json'), join(dir, 'b.json')], join(dir, 'out', 'merged.json'), () => undefined, err.write), stderr: err.text() };
    },
  },
  {
    name: 'result JSON (osqsim report compare)',
    texts: () => jsonTexts(validResult(0, 1)),
    allowed: [0, 2, 3],
    async run(dir, text) {
      writeFileSync(join(dir, 'a.json'), VALID_RESULT_TEXT());
      writeFileSync(join(dir, 'b.json'), text);
      const err = capture();
      return { code: compareCommand(join(dir, 'a.json'), join(dir, 'b.json'), '10%', false, () => undefined, err.write), stderr: err.text() };
    },
  },
  {
    name: 'sweep JSON (osqsim capacity plan --from)',
    texts: () => jsonTexts(validSweep()),
    allowed: [0, 2],
    async run(dir, text) {
      const file = join(dir, 'sweep.json');
      writeFileSync(file, text);
      const err = capture();
      const flags = { hosts: '100000', policies: '10', teams: '2', distributedInterval: '10s', policyInterval: '1h', configRefresh: '60s', statsInterval: '1h', from: file, instanceCpus: '1', targetCpu: '60%', json: true };
      return { code: planCommand(flags, () => undefined, err.write), stderr: err.text() };
    },
  },
];

/**
 * A scratch folder per target; the caller removes it. In memory (/dev/shm) where there is one:
 * every case writes one to three files, and on the CI machine's disk the writes were 30% of a
 * case's time.
 */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'osqsim-fuzz-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function checkFileCase(target: FileTarget, dir: string, text: string): Promise<Finding | undefined> {
  const sample = text.slice(0, 500);
  let run: FileRun;
  try {
    run = await target.run(dir, text);
  } catch (error) {
    return { target: target.name, problem: 'threw', detail: String((error as Error)?.stack ?? error).slice(0, 1500), request: { method: 'FILE', url: target.name, payload: sample } };
  }
  if (!target.allowed.includes(run.code)) {
    return { target: target.name, problem: 'exit code', detail: `exit ${run.code}: ${run.stderr.slice(0, 800)}`, request: { method: 'FILE', url: target.name, payload: sample } };
  }
  if (run.code === 2 && run.stderr.trim() === '') {
    return { target: target.name, problem: 'exit code', detail: 'exit 2 without a message', request: { method: 'FILE', url: target.name, payload: sample } };
  }
  return undefined;
}
