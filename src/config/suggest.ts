/** "did you mean" for misspelt keys, names and references. */
import { distance } from 'fastest-levenshtein';

/** The closest candidate when it is close enough to be a plausible typo, else undefined. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.ceil(word.length * 0.4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean 'x'?` (or with another separator), or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>, sep = '; '): string {
  const m = closestMatch(word, candidates);
  return m === undefined ? '' : `${sep}did you mean '${m}'?`;
}
