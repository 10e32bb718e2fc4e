/**
 * The property every fuzz case checks, for routes: the answer comes within a time limit, is not a
 * 5xx (except a documented one Fleet also gives), an error has its family's body shape, and a
 * rejected request (4xx/5xx) leaves the store exactly as it was (counts and a content digest).
 * A case returns its finding (or undefined) so tests can assert and bench/fuzz.ts can tally.
 */
import { isDeepStrictEqual } from 'node:util';
import { entityCount, fixtureState, startFuzzFixture, type FuzzFixture, type StoreState } from './fixture.js';
import { requestOf, type ErrorShape, type RouteCase, type RouteTarget } from './routes.js';

export interface Finding {
  readonly target: string;
  readonly problem: 'timeout' | '5xx' | 'error shape' | 'store changed' | 'threw' | 'exit code';
  readonly detail: string;
  readonly request?: { method: string; url: string; payload?: string };
}

/** A case that has not answered within this is a hang. */
export const CASE_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

/** Whether an error body has the family's shape (a message a user can act on). */
export function errorShapeProblem(shape: ErrorShape, status: number, text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`;
  }
  const object = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const fleet = typeof object['message'] === 'string' && Array.isArray(object['errors']) && (object['errors'] as unknown[]).every((e) => typeof (e as { reason?: unknown })?.reason === 'string');
  const osquery = typeof object['error'] === 'string' && (object['error'] as string).length > 0;
  const ok = shape === 'fleet' ? fleet : shape === 'osquery' || shape === 'osqsim' ? osquery : fleet || osquery;
  return ok ? undefined : `status ${status}: body is not ${shape}'s error shape: ${text.slice(0, 200)}`;
}

export interface FixtureHolderOptions {
  /** How a fixture is made (default: a seeded server on a new memory store). */
  readonly make?: () => Promise<FuzzFixture>;
  /**
   * Reset by restoring the store in place (FuzzFixture.restore) rather than building a new server:
   * only for holders that serve REST routes alone (see FuzzFixture.restore).
   */
  readonly restoreInPlace?: boolean;
  /** Reset once accepted writes grew the store by more than this many entities and rows (default 50). */
  readonly growthLimit?: number;
}

/**
 * Keeps a fixture for a run of cases, and what its store held after the last case. A case needs
 * the store's state before its request; after a rejected request the state was taken anyway (to
 * compare), and nothing but a request changes the store, so that state is the next case's "before"
 * (one snapshot per case, not two). The fixture is reset after a success that removed one of its
 * entities, and once accepted writes have grown the store past growthLimit (each snapshot reads
 * the whole store: a store that grew with every accepted case would make the run quadratic).
 */
export class FixtureHolder {
  private fixture: FuzzFixture | undefined;
  private known: StoreState | undefined;
  private seededSize: number | undefined;
  private readonly make: () => Promise<FuzzFixture>;
  /** Fixtures built and in-place restores made (a run's cost, printed by the suites). */
  builds = 0;
  restores = 0;

  constructor(make?: (() => Promise<FuzzFixture>) | FixtureHolderOptions, private readonly options: FixtureHolderOptions = typeof make === 'object' ? make : {}) {
    this.make = (typeof make === 'function' ? make : make?.make) ?? (() => startFuzzFixture());
  }

  async get(): Promise<FuzzFixture> {
    if (this.fixture === undefined) {
      this.fixture = await this.make();
      this.builds++;
      this.known = undefined;
    }
    return this.fixture;
  }

  /** The store's state before the next case (reset first when it grew past the limit). */
  async stateBefore(): Promise<StoreState> {
    const fixture = await this.get();
    let state = this.known ?? (await fixtureState(fixture));
    this.seededSize ??= entityCount(state);
    if (entityCount(state) > this.seededSize + (this.options.growthLimit ?? 50)) {
      await this.reset();
      state = await fixtureState(await this.get());
    }
    this.known = state;
    return state;
  }

  /** What the store holds after a case: the state when it was taken, undefined when unknown (a request was accepted). */
  noteAfter(state: StoreState | undefined): void {
    this.known = state;
  }

  /** Back to a freshly seeded store: restored in place where allowed, otherwise a new fixture. */
  async reset(): Promise<void> {
    this.known = undefined;
    if (this.options.restoreInPlace === true && this.fixture?.restore !== undefined) {
      await this.fixture.restore();
      this.restores++;
    } else {
      await this.close();
    }
  }

  /** Drops the fixture (a new one is built on the next get()). */
  async renew(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const fixture = this.fixture;
    this.fixture = undefined;
    this.known = undefined;
    await fixture?.close();
  }
}

export async function checkRouteCase(holder: FixtureHolder, target: RouteTarget, input: RouteCase): Promise<Finding | undefined> {
  const before = await holder.stateBefore();
  const fixture = await holder.get();
  // Unknown from here until a rejected request's state has been taken.
  holder.noteAfter(undefined);
  const request = requestOf(target, fixture.ids, input);
  const summary = { method: request.method, url: request.url.slice(0, 300), ...(request.payload === undefined ? {} : { payload: request.payload.slice(0, 500) }) };
  let response;
  try {
    response = await withTimeout(
      fixture.server.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, ...(request.payload === undefined ? {} : { payload: request.payload }) }),
      CASE_TIMEOUT_MS,
    );
  } catch (error) {
    return { target: target.name, problem: 'threw', detail: String((error as Error)?.stack ?? error), request: summary };
  } finally {
    // A fault set by the faults route must not leak into the next case.
    fixture.server.faults.setStoreUnavailable(0);
  }
  if (response === 'timeout') {
    await holder.renew();
    return { target: target.name, problem: 'timeout', detail: `no answer within ${CASE_TIMEOUT_MS} ms`, request: summary };
  }
  const status = response.statusCode;
  if (status >= 500 && !(target.documented5xx?.(status, response.body) ?? false)) {
    return { target: target.name, problem: '5xx', detail: `${status} ${response.body.slice(0, 500)}`, request: summary };
  }
  if (status >= 400) {
    const shapeProblem = target.method === 'HEAD' ? undefined : errorShapeProblem(target.shape, status, response.body);
    if (shapeProblem !== undefined) return { target: target.name, problem: 'error shape', detail: shapeProblem, request: summary };
    const after = await fixtureState(fixture);
    holder.noteAfter(after);
    if (!isDeepStrictEqual(before, after)) {
      return { target: target.name, problem: 'store changed', detail: `${status} ${response.body.slice(0, 300)}; counts ${JSON.stringify(before.counts)} → ${JSON.stringify(after.counts)}`, request: summary };
    }
  } else if (target.destructive) {
    await holder.reset();
  }
  return undefined;
}
