/**
 * One rating per advisory and per finding. A CVSS base score, where the advisory has one, decides
 * (the highest of its vectors); otherwise the distribution's wording is mapped: Debian urgency, Ubuntu
 * priority, RPM severity (Critical/Important/Moderate/Low), Alpine/OSV `severity` text. Wording not
 * recognised is `Unknown` — never guessed upwards or downwards.
 */
import type { AdvisorySeverity, SeverityRating } from '../feeds/types.ts';

export type Rating = SeverityRating | 'Unknown';

/** Lowest to highest; `Unknown` sorts below everything so a known rating always wins. */
export const RATING_ORDER = ['Unknown', 'None', 'Low', 'Medium', 'High', 'Critical'] as const;

const TEXT: Record<string, SeverityRating> = {
  critical: 'Critical',
  important: 'High',
  high: 'High',
  moderate: 'Medium',
  medium: 'Medium',
  low: 'Low',
  negligible: 'Low',
  unimportant: 'Low',
  none: 'None',
};

const RANKS = new Map<Rating, number>(RATING_ORDER.map((r, i) => [r, i]));

export function rank(r: Rating): number {
  return RANKS.get(r) ?? -1;
}

/** Wording already mapped (a feed uses a handful of words for all its advisories). */
const fromText = new Map<string, Rating>();

/** Maps distribution wording (`Important`, `high`, `unimportant`, `low**`) to a rating, or `Unknown`. */
export function ratingFromText(text: string | undefined): Rating {
  if (!text) return 'Unknown';
  let rating = fromText.get(text);
  if (rating === undefined) {
    const key = text
      .trim()
      .toLowerCase()
      .replace(/[^a-z].*$/, '');
    rating = Object.hasOwn(TEXT, key) ? TEXT[key]! : 'Unknown';
    if (fromText.size < 1000) fromText.set(text, rating);
  }
  return rating;
}

export function ratingOfSeverity(s: AdvisorySeverity): Rating {
  let best: Rating = 'Unknown';
  for (const c of s.cvss) if (c.rating && rank(c.rating) > rank(best)) best = c.rating;
  return best !== 'Unknown' ? best : ratingFromText(s.text);
}

export function highest(ratings: Iterable<Rating>): Rating {
  let best: Rating = 'Unknown';
  for (const r of ratings) if (rank(r) > rank(best)) best = r;
  return best;
}
