import { describe, expect, it } from 'vitest';
import {
  Budget,
  budgetForTime,
  budgetSeconds,
  fitDeadline,
  FIT_SHARE_OF_JOB,
  STAGE_ENDS,
} from '../../src/search/budget.js';
import { clockNow, isPast, processStart } from '../../src/util/clock.js';

describe('Budget: every stage on one clock', () => {
  it('puts each stage’s deadline at its share of the budget, counted from the start', () => {
    const b = new Budget(60, 1_000_000);
    expect(b.deadline('leakage')).toBe(1_000_000 + 6_000);
    expect(b.deadline('shift')).toBe(1_000_000 + 12_000);
    expect(b.deadline('search')).toBeCloseTo(1_000_000 + 52_800, 6);
    expect(b.deadline('refit')).toBeCloseTo(1_000_000 + 55_200, 6);
    expect(b.deadline('importance')).toBeCloseTo(1_000_000 + 56_400, 6);
    expect(b.deadline('importanceMinimum')).toBeCloseTo(1_000_000 + 58_200, 6);
    expect(b.deadline('files')).toBe(1_000_000 + 60_000);
    // The stages end in the order they run.
    const ends = Object.values(STAGE_ENDS);
    expect([...ends].sort((a, c) => a - c)).toEqual(ends);
  });

  it('says how long a stage may still take and whether it is past its deadline', () => {
    const now = clockNow();
    const started = new Budget(10, now - 9_000); // 90% of it gone
    expect(started.isPast('search')).toBe(true);
    expect(started.isPast('refit')).toBe(false);
    expect(started.secondsLeft('refit')).toBeGreaterThan(0);
    expect(started.secondsLeft('refit')).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(started.secondsLeft('search')).toBeLessThan(0);
    expect(started.optionalDeadline('files')).toBe(now - 9_000 + 10_000);
  });

  it('without a budget (a model count bounds the run) no deadline ever comes', () => {
    const b = new Budget(null);
    expect(b.limited).toBe(false);
    expect(b.deadline('search')).toBe(Infinity);
    expect(b.optionalDeadline('refit')).toBeUndefined();
    expect(b.secondsLeft('importance')).toBe(Infinity);
    expect(b.isPast('files')).toBe(false);
  });

  it('refuses a budget that is not a number of seconds >= 0', () => {
    expect(() => new Budget(-1)).toThrow(/a time budget must be a number of seconds >= 0, got -1/);
    expect(() => new Budget(Number.NaN)).toThrow(/got NaN/);
  });

  it('gives a fold job’s fit its share of the time left to the search’s end', () => {
    const before = clockNow();
    const end = before + 10_000;
    const d = fitDeadline(end);
    expect(d).toBeGreaterThanOrEqual(before + FIT_SHARE_OF_JOB * 10_000 - 1);
    expect(d).toBeLessThan(end);
    // Already past the end: the fit's deadline is now (it keeps its first round).
    const late = fitDeadline(before - 5_000);
    expect(late).toBeGreaterThanOrEqual(before);
    expect(late).toBeLessThanOrEqual(clockNow());
  });

  it('takes the budget from the settings: --max-runtime, else the time dial; none with --max-models', () => {
    expect(budgetForTime(1)).toBe(10);
    expect(budgetForTime(5)).toBe(160);
    expect(budgetSeconds({ time: 3 })).toBe(40);
    expect(budgetSeconds({ time: 3, maxRuntimeSeconds: 25 })).toBe(25);
    expect(budgetSeconds({ time: 3, maxRuntimeSeconds: 25, maxModels: 4 })).toBeNull();
  });
});

describe('the deadline clock', () => {
  it('is epoch milliseconds, after the process start, and a past deadline is past', () => {
    const now = clockNow();
    expect(Math.abs(now - Date.now())).toBeLessThan(1_000);
    expect(processStart()).toBeLessThan(now);
    expect(isPast(now - 1)).toBe(true);
    expect(isPast(now + 60_000)).toBe(false);
    expect(isPast(undefined)).toBe(false);
  });
});
