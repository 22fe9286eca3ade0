/** "did you mean" for misspelt keys, names and references. */
import { distance } from 'fastest-levenshtein';

/**
 * The closest candidate when it is close enough to be a plausible typo, else undefined. Two
 * neighbours swapped (`wbe` for `web`), the commonest typo, count as one edit (Levenshtein counts
 * two); among equally close candidates one with the word's own letters wins, then the first.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.ceil(word.length * 0.4));
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const lc = c.toLowerCase();
    const d = Math.min(distance(w, lc), swapDistance(w, lc));
    const score = d - (sameLetters(w, lc) ? 0.5 : 0);
    if (d <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** `; did you mean 'x'?` (or with another separator), or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>, sep = '; '): string {
  const m = closestMatch(word, candidates);
  return m === undefined ? '' : `${sep}did you mean '${m}'?`;
}

/** 1 when b is a with exactly one pair of neighbours swapped, else Infinity. */
function swapDistance(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  const diff = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]] ? 1 : Infinity;
}

function sameLetters(a: string, b: string): boolean {
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}
