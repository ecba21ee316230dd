// The default range and the comparison dates: pure functions of the calendar.
import { describe, expect, it } from 'vitest';
import { previousDate, resolveRange } from './queries.js';

describe('resolveRange', () => {
  it('defaults to exactly the year up to today, whatever the day of the month', () => {
    expect(resolveRange({ today: '2026-11-26' })).toEqual({ from: '2025-11-27', to: '2026-11-26' });
    expect(resolveRange({ today: '2026-03-31' })).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    // 29 Feb: a year earlier clamps to 28 Feb, so the range starts on 1 March.
    expect(resolveRange({ today: '2024-02-29' })).toEqual({ from: '2023-03-01', to: '2024-02-29' });
  });

  it('takes a default start from the requested end, and clamps the end to today', () => {
    expect(resolveRange({ today: '2026-11-26' }, undefined, '2026-06-15')).toEqual({ from: '2025-06-16', to: '2026-06-15' });
    expect(resolveRange({ today: '2026-11-26' }, '2026-01-01', '2027-01-01')).toEqual({ from: '2026-01-01', to: '2026-11-26' });
  });

  it('refuses a start after the end', () => {
    expect(() => resolveRange({ today: '2026-11-26' }, '2026-11-20', '2026-11-10')).toThrow(/from must not be after to/);
  });
});

describe('previousDate', () => {
  it('steps back a day, a week, a month or a year, clamping to the month end', () => {
    expect(previousDate('2026-03-01', 'day')).toBe('2026-02-28');
    expect(previousDate('2026-03-03', 'week')).toBe('2026-02-24');
    expect(previousDate('2026-03-31', 'month')).toBe('2026-02-28');
    expect(previousDate('2024-02-29', 'year')).toBe('2023-02-28');
  });
});
