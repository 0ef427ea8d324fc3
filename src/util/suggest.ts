/** Levenshtein distance, used to suggest the nearest valid name in error messages. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const COMPARED_LENGTH = 200;

/** The `max` candidates closest to `input` (case-insensitive), nearest first. */
export function nearest(input: string, candidates: Iterable<string>, max = 3): string[] {
  // Distances cost length × length: beyond any real name, compare the first characters only.
  const needle = input.toLowerCase().slice(0, COMPARED_LENGTH);
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(needle, c.toLowerCase().slice(0, COMPARED_LENGTH)) }))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
