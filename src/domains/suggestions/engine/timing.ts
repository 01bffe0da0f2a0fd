import { busiestHours } from './scoring';

/** When a routine happens, from its hour-of-day and weekday histograms (UTC). */
export interface Timing {
  /** start of the busiest 2-hour window and its share of occurrences */
  hour: number;
  hourShare: number;
  /** share of occurrences on Monday–Friday */
  weekdayShare: number;
  /** cron expression of a schedule that runs at the start of that window on those days */
  cron: string;
  /** "every weekday at 08:00 UTC", "on Tuesdays and Fridays at 16:00 UTC", "every day at 09:00 UTC" */
  when: string;
}

const NAMES = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];

/** `weekdays` is Monday-first; cron counts from Sunday = 0. */
export function timingOf(hours: number[], weekdays: number[]): Timing {
  const { start, share } = busiestHours(hours, 2);
  const total = weekdays.reduce((a, b) => a + b, 0) || 1;
  const weekdayShare = weekdays.slice(0, 5).reduce((a, b) => a + b, 0) / total;
  const at = `${String(start).padStart(2, '0')}:00 UTC`;
  let days = '*';
  let when = `every day at ${at}`;
  const ranked = weekdays.map((n, i) => ({ n, i })).sort((a, b) => b.n - a.n || a.i - b.i);
  const top: number[] = [];
  let covered = 0;
  for (const d of ranked) {
    if (covered / total >= 0.8 || top.length === 3) break;
    top.push(d.i);
    covered += d.n;
  }
  if (covered / total >= 0.8 && top.length <= 3) {
    top.sort((a, b) => a - b);
    days = top.map((i) => (i + 1) % 7).join(',');
    when = `on ${top.map((i) => NAMES[i]).join(top.length === 2 ? ' and ' : ', ')} at ${at}`;
  } else if (weekdayShare >= 0.9) {
    days = '1-5';
    when = `every weekday at ${at}`;
  }
  return { hour: start, hourShare: share, weekdayShare, cron: `0 ${start} * * ${days}`, when };
}

/** "usually between 08:00 and 10:00 UTC on weekdays" — or nothing when there is no habit. */
export function describeTiming(t: Timing): string {
  const parts: string[] = [];
  if (t.hourShare >= 0.6)
    parts.push(`usually between ${String(t.hour).padStart(2, '0')}:00 and ${String((t.hour + 2) % 24).padStart(2, '0')}:00 UTC`);
  if (t.weekdayShare >= 0.95) parts.push('on weekdays');
  return parts.join(' ');
}
