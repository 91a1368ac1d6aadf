import { Admission, MovingAverage, retryAfterSeconds } from '../index';

describe('Admission', () => {
  it('admits up to capacity, refuses beyond, and admits again after a release', () => {
    const a = new Admission(2);
    expect([a.tryAcquire(), a.tryAcquire(), a.tryAcquire()]).toEqual([true, true, false]);
    expect(a.inFlight).toBe(2);
    a.release();
    expect(a.tryAcquire()).toBe(true);
    expect(a.inFlight).toBe(2);
  });

  it('never goes below zero', () => {
    const a = new Admission(1);
    a.release();
    expect(a.inFlight).toBe(0);
    expect(a.tryAcquire()).toBe(true);
  });
});

describe('retryAfterSeconds', () => {
  it('is the waiting requests spread over the workers plus one task, in whole seconds within 1..60', () => {
    expect(retryAfterSeconds(0, 1, 200)).toBe(1);
    expect(retryAfterSeconds(4, 2, 1500)).toBe(5); // (4/2 + 1) × 1.5 s = 4.5 s
    expect(retryAfterSeconds(1000, 1, 5000)).toBe(60);
    expect(retryAfterSeconds(3, 1, null)).toBe(4); // 1 s per task until one is measured
  });
});

describe('MovingAverage', () => {
  it('starts at the first sample and moves a fifth of the way to each next one', () => {
    const m = new MovingAverage();
    expect(m.value).toBeNull();
    m.add(100);
    m.add(200);
    expect(m.value).toBeCloseTo(120);
  });
});
