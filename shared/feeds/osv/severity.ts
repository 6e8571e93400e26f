/**
 * CVSS vectors scored to a base score and a rating with ae-cvss-calculator (FIRST's formulas for
 * 2.0, 3.0, 3.1 and 4.0). A vector that does not parse or lacks base metrics keeps no score.
 */
import cvss from 'ae-cvss-calculator';
import type { CvssScore, SeverityRating } from '../types.ts';

/** FIRST's qualitative scale (v3.x and v4.0); v2 has no None/Critical (NVD: Low < 4, Medium < 7, High). */
export function ratingOf(score: number, version: 2 | 3 | 4 = 3): SeverityRating {
  if (version === 2) return score < 4 ? 'Low' : score < 7 ? 'Medium' : 'High';
  if (score === 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

type Scorer = {
  calculateScores(): { base?: number | undefined; overall: number };
  isBaseFullyDefined(): boolean;
};

function scorerFor(vector: string): { make: () => Scorer; version: 2 | 3 | 4 } | undefined {
  if (vector.startsWith('CVSS:3.1/')) return { make: () => new cvss.Cvss3P1(vector), version: 3 };
  if (vector.startsWith('CVSS:3.0/')) return { make: () => new cvss.Cvss3P0(vector), version: 3 };
  if (vector.startsWith('CVSS:4.0/')) return { make: () => new cvss.Cvss4P0(vector), version: 4 };
  if (/^(CVSS:2\.0\/)?AV:[LAN]\/AC:/.test(vector))
    return { make: () => new cvss.Cvss2(vector.replace(/^CVSS:2\.0\//, '')), version: 2 };
  return undefined;
}

/** Scores one OSV severity entry. `type` is kept as given (CVSS_V2, CVSS_V3, CVSS_V4). */
export function scoreVector(type: string, vector: string): CvssScore {
  const out: CvssScore = { type, vector };
  const scorer = scorerFor(vector.trim());
  if (!scorer) return out;
  try {
    const v = scorer.make();
    if (!v.isBaseFullyDefined()) return out;
    const scores = v.calculateScores();
    const base = scores.base ?? scores.overall;
    if (typeof base !== 'number' || Number.isNaN(base)) return out;
    out.score = base;
    out.rating = ratingOf(base, scorer.version);
  } catch {
    return out;
  }
  return out;
}
