import { describe, expect, test } from 'vitest';
import { TimingWheel } from '../../simulator/timing-wheel.js';

test('events come out in time order, only once due', () => {
  const wheel = new TimingWheel(1000);
  wheel.schedule(1005, 5);
  wheel.schedule(1001, 1);
  wheel.schedule(1003, 3);
  const out: number[] = [];
  wheel.drain(1003.5, 100, (e) => out.push(e));
  expect(out).toEqual([1, 3]);
  wheel.drain(1010, 100, (e) => out.push(e));
  expect(out).toEqual([1, 3, 5]);
  expect(wheel.size).toBe(0);
});

test('events past the horizon wait in overflow and still fire on time; past-due events fire at once', () => {
  const wheel = new TimingWheel(0);
  wheel.schedule(200_000, 9);
  wheel.schedule(-50, 4);
  const out: Array<[number, number]> = [];
  for (let t = 0; t <= 200_000; t += 1000) wheel.drain(t, 1000, (e) => out.push([t, e]));
  expect(out).toEqual([[0, 4], [200_000, 9]]);
});

test('drain hands out at most `limit` events per call and the rest on the next', () => {
  const wheel = new TimingWheel(0);
  for (let i = 0; i < 10; i++) wheel.schedule(5, i);
  const out: number[] = [];
  expect(wheel.drain(10, 4, (e) => out.push(e))).toBe(4);
  expect(wheel.drain(10, 4, (e) => out.push(e))).toBe(4);
  expect(wheel.drain(10, 4, (e) => out.push(e))).toBe(2);
  expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

describe('an event scheduled from fn for the slot being drained (or earlier) waits for a later call', () => {
  // The fleetd-defaults stall: an orbit event rescheduled itself "now" on every firing and drain
  // handed it out again and again in the same call, so the cursor never moved past its slot and
  // every later event (all endpoints) starved while the worker's event loop stayed busy.
  test('a self-rescheduling event fires once per call and later slots are still drained', () => {
    const wheel = new TimingWheel(0);
    wheel.schedule(5, 1);
    wheel.schedule(6, 2);
    const out: number[] = [];
    const fn = (e: number): void => {
      out.push(e);
      if (e === 1) wheel.schedule(5, 1); // due again at once (delay 0)
    };
    expect(wheel.drain(10, 1000, fn)).toBe(2);
    expect(out).toEqual([1, 2]);
    // It joined the cursor's slot (11): the next millisecond's call hands it out, once.
    expect(wheel.drain(10.5, 1000, fn)).toBe(0);
    expect(wheel.drain(11, 1000, fn)).toBe(1);
    expect(out).toEqual([1, 2, 1]);
    expect(wheel.size).toBe(1);
  });

  test('a negative delay is the same: handed out on the next call, not in this one', () => {
    const wheel = new TimingWheel(100);
    wheel.schedule(100, 7);
    const out: Array<[number, number]> = [];
    let call = 0;
    const fn = (e: number): void => {
      out.push([call, e]);
      if (e === 7) wheel.schedule(40, 8); // in the past
    };
    for (call = 0; call < 3; call++) wheel.drain(100 + call, 1000, fn);
    expect(out).toEqual([[0, 7], [1, 8]]);
    expect(wheel.size).toBe(0);
  });

  test('an event scheduled from fn for a later slot still due in this call is handed out in this call, in time order', () => {
    const wheel = new TimingWheel(0);
    wheel.schedule(1, 1);
    wheel.schedule(4, 4);
    const out: number[] = [];
    wheel.drain(10, 1000, (e) => {
      out.push(e);
      if (e === 1) wheel.schedule(3, 3);
    });
    expect(out).toEqual([1, 3, 4]);
  });

  test('after a limit cut, what was left in the slot goes before what fn rescheduled into it', () => {
    const wheel = new TimingWheel(0);
    for (let i = 0; i < 4; i++) wheel.schedule(2, i);
    const out: number[] = [];
    const fn = (e: number): void => {
      out.push(e);
      if (e === 0) wheel.schedule(2, 9);
    };
    expect(wheel.drain(2, 2, fn)).toBe(2);
    expect(wheel.drain(2, 10, fn)).toBe(3);
    expect(out).toEqual([0, 1, 2, 3, 9]);
    expect(wheel.size).toBe(0);
  });

  test('a call in the same millisecond after the slot was drained leaves the rescheduled event for the next millisecond', () => {
    const wheel = new TimingWheel(0);
    wheel.schedule(3, 1);
    const out: number[] = [];
    let loops = 0;
    const fn = (e: number): void => {
      out.push(e);
      if (loops++ < 1) wheel.schedule(3, 1);
    };
    wheel.drain(3.2, 10, fn);
    expect(wheel.drain(3.7, 10, fn)).toBe(0);
    expect(wheel.drain(4, 10, fn)).toBe(1);
    expect(out).toEqual([1, 1]);
  });
});
