/**
 * The latest milestone a petition has passed ("passed 1,000 on 3 March 2026"), from the tally's
 * signatures by day. Pure.
 */
import type { DayTally } from '../../core/tally.ts';

export interface Milestone {
  /** The round number passed, or the goal. */
  value: number;
  /** The day (YYYY-MM-DD, UTC) on which the count first reached it. */
  date: string;
  isGoal: boolean;
}

/** Round numbers worth announcing: 10, 25, 50, 100, 250, 500, 1,000, … up to `limit`. */
export function roundNumbers(limit: number): number[] {
  const values: number[] = [];
  for (let power = 10; power <= limit; power *= 10) {
    for (const step of [1, 2.5, 5]) if (power * step <= limit) values.push(power * step);
  }
  return values;
}

/**
 * The highest milestone (a round number or the goal) reached by the count, with the day it was
 * reached. Days count the signatures that stand today (a withdrawn signature no longer counts on
 * the day it was made), so this is what anyone can recompute from the repository.
 */
export function latestMilestone(days: readonly DayTally[], goal: number): Milestone | undefined {
  const total = days.reduce((sum, day) => sum + day.signature_count, 0);
  const candidates = [...roundNumbers(total), ...(goal <= total ? [goal] : [])];
  if (candidates.length === 0) return undefined;
  const value = Math.max(...candidates);
  let running = 0;
  for (const day of [...days].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    running += day.signature_count;
    if (running >= value) return { value, date: day.date, isGoal: value === goal };
  }
  return undefined;
}
