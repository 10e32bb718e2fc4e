import { expect, test } from 'vitest';
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
