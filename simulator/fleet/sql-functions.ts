/**
 * osquery's additions to SQLite, registered on a sql.js database so a real-world policy runs as it
 * would on a host.
 *
 * Semantics follow osquery's SQL documentation ("SQL additions": math, string, hashing, encoding and
 * network functions) and the expectations in osquery's SQL tests:
 * - math: sqrt log (natural) log10 exp ceil floor (integer results) power(x, y) pi sin cos tan cot
 *   asin acos atan degrees radians; NULL in → NULL out; a domain or range error fails the query.
 * - string: split(s, tokens, i) splits on any character of `tokens`, drops empty pieces and trims
 *   the rest; regex_split(s, pattern, i) keeps empty pieces; regex_match(s, pattern, i) returns group
 *   i of the first match (0 = whole match); an index past the end or no match → NULL; an empty
 *   split token or an invalid regex fails the query. concat / concat_ws ignore NULLs (a NULL
 *   separator counts as ''); inet_aton gives an IPv4 address as an integer (NULL otherwise).
 * - version_compare(left, right[, 'ARCH'|'DPKG'|'RHEL']) → -1, 0 or 1.
 * - hashing: md5, sha1, sha256 (hex); community_id_v1(saddr, daddr, sport, dport, proto[, seed]) ('' when an input
 *   cannot be parsed; community_id_v1_strict fails instead). ICMP's type/code port mapping is not applied.
 * - encoding: to_base64, from_base64 ('' when the input is not base64), conditional_to_base64
 *   (encodes only when the text has non-ASCII characters).
 * - network: in_cidr_block(cidr, ip) → 1 or 0 (IPv4 and IPv6; 0 across families).
 *
 * Not available: osquery's collations (`COLLATE VERSION`, `VERSION_ARCH`, `VERSION_DPKG`,
 * `VERSION_RHEL`), because sql.js exposes no way to register a collation; `compareVersions` below
 * gives the same ordering to code that needs it. Integers beyond 32 bits returned by these
 * functions arrive in SQLite as REAL with the same value (sql.js has no int64 result path).
 */

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Database, SqlValue } from 'sql.js';

type SqlFunction = (...args: SqlValue[]) => SqlValue | boolean;

/** SQLite's text form of a value (what sqlite3_value_text gives a C function). */
function textOf(value: SqlValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return Buffer.from(value).toString('utf8');
}

function bytesOf(value: SqlValue): Buffer {
  return value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(textOf(value), 'utf8');
}

function intOf(value: SqlValue): number {
  if (typeof value === 'number') return Math.trunc(value);
  const parsed = Number.parseInt(textOf(value), 10);
  return Number.isNaN(parsed) ? 0 : parsed;
}

function numberOf(value: SqlValue): number {
  if (typeof value === 'number') return value;
  const parsed = Number.parseFloat(textOf(value));
  return Number.isNaN(parsed) ? 0 : parsed;
}

// --- math ------------------------------------------------------------------------------------

function checkedMath(result: number, input: number[]): number {
  if (Number.isNaN(result) && !input.some(Number.isNaN)) throw new Error('Numerical argument out of domain');
  if (!Number.isFinite(result) && input.every(Number.isFinite)) throw new Error('Numerical result out of range');
  return result;
}

function unaryMath(f: (x: number) => number): SqlFunction {
  return (x) => (x === null ? null : checkedMath(f(numberOf(x)), [numberOf(x)]));
}

/** ceil/floor: an INTEGER argument comes back unchanged, anything else is rounded to an integer. */
function roundingMath(f: (x: number) => number): SqlFunction {
  return (x) => {
    if (x === null) return null;
    if (typeof x === 'number' && Number.isInteger(x)) return x;
    return Math.trunc(f(numberOf(x)));
  };
}

// --- strings ---------------------------------------------------------------------------------

const regexCache = new Map<string, RegExp>();

/** osquery uses std::regex (ECMAScript grammar), which JavaScript's RegExp follows closely. */
function compileRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    try {
      regex = new RegExp(pattern, 'g');
    } catch (error) {
      throw new Error(`Invalid regex: ${(error as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, regex);
  }
  regex.lastIndex = 0;
  return regex;
}

function pick(pieces: readonly string[], index: SqlValue): string | null {
  const i = intOf(index);
  return i >= 0 && i < pieces.length ? (pieces[i] ?? null) : null;
}

function tokenSplit(input: string, tokens: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const ch of input) {
    if (tokens.includes(ch)) {
      if (current.length > 0) pieces.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.length > 0) pieces.push(current);
  return pieces.map((piece) => piece.trim());
}

function regexSplit(input: string, pattern: string): string[] {
  const regex = compileRegex(pattern);
  const pieces: string[] = [];
  let start = 0;
  for (let match = regex.exec(input); match !== null; match = regex.exec(input)) {
    pieces.push(input.slice(start, match.index));
    start = match.index + match[0].length;
    if (match[0].length === 0) regex.lastIndex += 1;
    if (regex.lastIndex > input.length) break;
  }
  pieces.push(input.slice(start));
  return pieces;
}

const split: SqlFunction = (input, tokens, index) => {
  if (input === null || tokens === null || index === null) return null;
  const delimiters = textOf(tokens);
  if (delimiters.length === 0) throw new Error('Invalid input to split function');
  return pick(tokenSplit(textOf(input), delimiters), index);
};

const regex_split: SqlFunction = (input, pattern, index) => {
  if (input === null || pattern === null || index === null) return null;
  const expression = textOf(pattern);
  if (expression.length === 0) throw new Error('Invalid input to split function');
  return pick(regexSplit(textOf(input), expression), index);
};

const regex_match: SqlFunction = (input, pattern, index) => {
  if (input === null || pattern === null || index === null) return null;
  const match = compileRegex(textOf(pattern)).exec(textOf(input));
  if (!match) return null;
  const i = intOf(index);
  return i >= 0 && i < match.length ? (match[i] ?? null) : null;
};

function concatValues(values: readonly SqlValue[], separator: string): string {
  return values.filter((value) => value !== null).map(textOf).join(separator);
}

const concat: SqlFunction = (...values) => concatValues(values, '');

const concat_ws: SqlFunction = (...values) => {
  if (values.length === 0) throw new Error('Must provide at least one argument to concat_ws');
  const [separator = null, ...rest] = values;
  return concatValues(rest, separator === null ? '' : textOf(separator));
};

function ipv4ToInt(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

const inet_aton: SqlFunction = (address) => {
  if (address === null) return null;
  const text = textOf(address);
  return text.includes(':') ? null : ipv4ToInt(text);
};

// --- versions --------------------------------------------------------------------------------

export type VersionFlavor = 'SEMVER' | 'ARCH' | 'DPKG' | 'RHEL';

interface VersionRules {
  /** A version with an epoch (`N:`) sorts after one without; epochs compare by their length. */
  epoch: boolean;
  /** Delimiters order among themselves: ~ < - < ^ < . < : */
  delimiterPrecedence: boolean;
  /** When one version is a prefix of the other, the next character decides (~ lower, ^ higher, - equal). */
  compareRemainder: boolean;
  /** With compareRemainder: a difference in a trailing numeric segment is decided by length. */
  remainderByLength: boolean;
}

const FLAVOR_RULES: Readonly<Record<VersionFlavor, VersionRules>> = {
  SEMVER: { epoch: false, delimiterPrecedence: false, compareRemainder: false, remainderByLength: false },
  ARCH: { epoch: true, delimiterPrecedence: false, compareRemainder: true, remainderByLength: true },
  DPKG: { epoch: true, delimiterPrecedence: true, compareRemainder: false, remainderByLength: false },
  RHEL: { epoch: true, delimiterPrecedence: true, compareRemainder: true, remainderByLength: false },
};

const DELIMITER_RANK: Readonly<Record<string, number>> = { '~': 1, '-': 2, '^': 3, '.': 4, ':': 5 };

function delimiterRank(ch: string | undefined): number {
  return ch === undefined ? 0 : (DELIMITER_RANK[ch] ?? 0);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/**
 * osquery's version ordering: versions are compared segment by segment (segments end at ~ - ^ . :);
 * within a segment the first differing character decides, but a segment that goes on longer than the
 * other's wins first. Returns a negative number, 0 or a positive number.
 */
export function compareVersions(left: string, right: string, flavor: VersionFlavor = 'SEMVER'): number {
  const rules = FLAVOR_RULES[flavor];
  if (left.length === 0 || right.length === 0) return Math.sign(left.length - right.length);
  if (left === right) return 0;

  if (rules.epoch) {
    const leftEpoch = left.indexOf(':');
    const rightEpoch = right.indexOf(':');
    if (leftEpoch >= 0 && rightEpoch >= 0) {
      if (leftEpoch !== rightEpoch) return leftEpoch - rightEpoch;
    } else if (leftEpoch >= 0) {
      return 1;
    } else if (rightEpoch >= 0) {
      return -1;
    }
  }

  const shared = Math.min(left.length, right.length);
  let segmentDifference = 0;
  for (let i = 0; i < shared; i++) {
    const leftRank = delimiterRank(left[i]);
    const rightRank = delimiterRank(right[i]);
    if (leftRank === 0 && rightRank === 0) {
      if (segmentDifference === 0) segmentDifference = left.charCodeAt(i) - right.charCodeAt(i);
      continue;
    }
    if (leftRank === 0) return 1;
    if (rightRank === 0) return -1;
    if (segmentDifference !== 0) return segmentDifference;
    if (rules.delimiterPrecedence && leftRank !== rightRank) return leftRank - rightRank;
  }
  if (left.length === right.length) return segmentDifference;

  const leftIsShorter = left.length === shared;
  const next = leftIsShorter ? right[shared] : left[shared];
  const lastShared = leftIsShorter ? left[shared - 1] : right[shared - 1];
  const towardsLonger = leftIsShorter ? -1 : 1;
  if (rules.compareRemainder) {
    if (next === '~') return -towardsLonger;
    if (next === '-') return 0;
    if (next === '^') return towardsLonger;
    if (segmentDifference !== 0 && (!rules.remainderByLength || !isDigit(lastShared))) return segmentDifference;
  }
  // The shorter version's last segment ended where the longer one's did: that segment decides.
  if (segmentDifference !== 0 && delimiterRank(next) !== 0) return segmentDifference;
  return left.length - right.length;
}

function flavorOf(value: SqlValue | undefined): VersionFlavor {
  if (value === undefined || value === null) return 'SEMVER';
  const name = textOf(value).toUpperCase();
  if (name === 'ARCH' || name === 'DPKG' || name === 'RHEL') return name;
  throw new Error('Unknown version flavor: must be one of ARCH, DPKG or RHEL');
}

const version_compare: SqlFunction = (...args) => {
  if (args.length < 2 || args.length > 3) {
    throw new Error('version_compare takes two version strings and an optional flavor (ARCH, DPKG, RHEL)');
  }
  const [left = null, right = null, flavor] = args;
  if (left === null || right === null) return null;
  return Math.sign(compareVersions(textOf(left), textOf(right), flavorOf(flavor)));
};

// --- hashing ---------------------------------------------------------------------------------

function hashWith(algorithm: 'md5' | 'sha1' | 'sha256'): SqlFunction {
  return (value) => (value === null ? null : createHash(algorithm).update(bytesOf(value)).digest('hex'));
}

function ipBytes(address: string): Buffer | null {
  const family = isIP(address);
  if (family === 4) {
    const value = ipv4ToInt(address);
    if (value === null) return null;
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  }
  if (family === 6) return ipv6Bytes(address);
  return null;
}

function ipv6Bytes(address: string): Buffer | null {
  let text = address;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToInt(dotted[2] ?? '');
    if (v4 === null) return null;
    text = `${dotted[1] ?? ''}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return null;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2));
  return bytes;
}

/** Community ID v1 (corelight/community-id-spec): "1:" + base64(sha1(seed, ordered endpoints, proto, ports)). */
function communityId(args: readonly SqlValue[], strict: boolean): string {
  const fail = (reason: string): string => {
    if (strict) throw new Error(`community_id_v1: ${reason}`);
    return '';
  };
  if (args.length < 5 || args.length > 6) return fail('takes source address, destination address, source port, destination port, protocol and an optional seed');
  const [saddr = null, daddr = null, sport = null, dport = null, proto = null, seed = 0] = args;
  if (saddr === null || daddr === null || sport === null || dport === null || proto === null) return fail('missing value');
  const source = ipBytes(textOf(saddr));
  const destination = ipBytes(textOf(daddr));
  if (!source) return fail('saddr cannot be parsed as IP');
  if (!destination) return fail('daddr cannot be parsed as IP');
  const ports = [intOf(sport), intOf(dport)];
  const protocol = intOf(proto);
  const seedValue = seed === null ? 0 : intOf(seed);
  if (ports.some((port) => port < 0 || port > 0xffff)) return fail('port out of range');
  if (protocol < 0 || protocol > 0xff || seedValue < 0 || seedValue > 0xffff) return fail('protocol or seed out of range');
  let [firstAddress, secondAddress] = [source, destination];
  let [firstPort = 0, secondPort = 0] = ports;
  // Addresses of different families order by length (IPv4 first), which is what osquery reports.
  const order = source.length - destination.length || Buffer.compare(source, destination);
  if (order > 0 || (order === 0 && firstPort > secondPort)) {
    [firstAddress, secondAddress] = [destination, source];
    [firstPort, secondPort] = [secondPort, firstPort];
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(seedValue);
  const trailer = Buffer.alloc(6);
  trailer.writeUInt8(protocol, 0);
  trailer.writeUInt16BE(firstPort, 2);
  trailer.writeUInt16BE(secondPort, 4);
  const digest = createHash('sha1').update(Buffer.concat([header, firstAddress, secondAddress, trailer])).digest('base64');
  return `1:${digest}`;
}

// --- encoding --------------------------------------------------------------------------------

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const to_base64: SqlFunction = (value) => (value === null ? null : bytesOf(value).toString('base64'));

const from_base64: SqlFunction = (value) => {
  if (value === null) return null;
  const text = textOf(value).trim();
  return BASE64.test(text) ? Buffer.from(text, 'base64').toString('utf8') : '';
};

const conditional_to_base64: SqlFunction = (value) => {
  if (value === null) return null;
  const text = textOf(value);
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'utf8').toString('base64') : text;
};

// --- network ---------------------------------------------------------------------------------

const in_cidr_block: SqlFunction = (cidr, ip) => {
  if (cidr === null || ip === null) return null;
  const [network = '', prefixText, extra] = textOf(cidr).split('/');
  const networkBytes = ipBytes(network);
  const address = ipBytes(textOf(ip));
  if (!networkBytes || prefixText === undefined || extra !== undefined || !/^\d+$/.test(prefixText)) {
    throw new Error(`Invalid CIDR block: ${textOf(cidr)}`);
  }
  if (!address) throw new Error(`Invalid IP address: ${textOf(ip)}`);
  const prefix = Number(prefixText);
  if (prefix > networkBytes.length * 8) throw new Error(`Invalid CIDR block: ${textOf(cidr)}`);
  if (address.length !== networkBytes.length) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((networkBytes[byte] ?? 0) & mask) !== ((address[byte] ?? 0) & mask)) return false;
  }
  return true;
};

// --- registration ----------------------------------------------------------------------------

/** sql.js registers a function with `func.length` arguments; -1 makes SQLite accept any number. */
function variadic(f: SqlFunction): SqlFunction {
  Object.defineProperty(f, 'length', { value: -1 });
  return f;
}

const FUNCTIONS: ReadonlyArray<readonly [string, SqlFunction]> = [
  ['sqrt', unaryMath(Math.sqrt)],
  ['log', unaryMath(Math.log)],
  ['log10', unaryMath(Math.log10)],
  ['exp', unaryMath(Math.exp)],
  ['sin', unaryMath(Math.sin)],
  ['cos', unaryMath(Math.cos)],
  ['tan', unaryMath(Math.tan)],
  ['cot', unaryMath((x) => 1 / Math.tan(x))],
  ['asin', unaryMath(Math.asin)],
  ['acos', unaryMath(Math.acos)],
  ['atan', unaryMath(Math.atan)],
  ['degrees', unaryMath((x) => (180 * x) / Math.PI)],
  ['radians', unaryMath((x) => (x * Math.PI) / 180)],
  ['ceil', roundingMath(Math.ceil)],
  ['floor', roundingMath(Math.floor)],
  ['power', (x: SqlValue, y: SqlValue) => (x === null || y === null ? null : checkedMath(numberOf(x) ** numberOf(y), [numberOf(x), numberOf(y)]))],
  ['pi', () => Math.PI],
  ['split', split],
  ['regex_split', regex_split],
  ['regex_match', regex_match],
  ['concat', variadic(concat)],
  ['concat_ws', variadic(concat_ws)],
  ['inet_aton', inet_aton],
  ['version_compare', variadic(version_compare)],
  ['md5', hashWith('md5')],
  ['sha1', hashWith('sha1')],
  ['sha256', hashWith('sha256')],
  ['community_id_v1', variadic((...args) => communityId(args, false))],
  ['community_id_v1_strict', variadic((...args) => communityId(args, true))],
  ['to_base64', to_base64],
  ['from_base64', from_base64],
  ['conditional_to_base64', conditional_to_base64],
  ['in_cidr_block', in_cidr_block],
];

/** The names of the functions registerOsqueryFunctions adds. */
export const OSQUERY_FUNCTION_NAMES: readonly string[] = FUNCTIONS.map(([name]) => name);

/** Registers osquery's SQL additions on a sql.js database (call once per database). */
export function registerOsqueryFunctions(db: Database): void {
  for (const [name, f] of FUNCTIONS) db.create_function(name, f);
}
