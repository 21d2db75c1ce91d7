/** One line of a diff. */
export interface IDiffLine {
  /** `same`: in both; `del`: only in A; `add`: only in B. */
  kind: 'same' | 'del' | 'add';
  /** The line, without its newline. */
  text: string;
  /** 1-based line number in A, null for `add`. */
  aLine: number | null;
  /** 1-based line number in B, null for `del`. */
  bLine: number | null;
}

/**
 * Line diff of two texts from their longest common subsequence (dynamic
 * programming over the lines that differ, after trimming the common head and
 * tail). Deletions come before additions within a change.
 *
 * @param maxCells - bound on the DP table (rows × columns); beyond it the
 * middle is reported as all deleted then all added.
 */
export function lineDiff(
  a: string,
  b: string,
  maxCells = 4_000_000
): IDiffLine[] {
  const la = splitLines(a);
  const lb = splitLines(b);
  let head = 0;
  while (head < la.length && head < lb.length && la[head] === lb[head]) {
    head++;
  }
  let tail = 0;
  while (
    tail < la.length - head &&
    tail < lb.length - head &&
    la[la.length - 1 - tail] === lb[lb.length - 1 - tail]
  ) {
    tail++;
  }
  const out: IDiffLine[] = [];
  for (let i = 0; i < head; i++) {
    out.push({ kind: 'same', text: la[i], aLine: i + 1, bLine: i + 1 });
  }
  const ma = la.slice(head, la.length - tail);
  const mb = lb.slice(head, lb.length - tail);
  const n = ma.length;
  const m = mb.length;
  if (n * m > maxCells) {
    ma.forEach((text, i) =>
      out.push({ kind: 'del', text, aLine: head + i + 1, bLine: null })
    );
    mb.forEach((text, j) =>
      out.push({ kind: 'add', text, aLine: null, bLine: head + j + 1 })
    );
  } else {
    // lcs[i][j]: LCS length of ma[i..] and mb[j..], flattened.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          ma[i] === mb[j]
            ? lcs[(i + 1) * width + j + 1] + 1
            : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && ma[i] === mb[j]) {
        out.push({
          kind: 'same',
          text: ma[i],
          aLine: head + i + 1,
          bLine: head + j + 1
        });
        i++;
        j++;
      } else if (
        j >= m ||
        (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
      ) {
        out.push({
          kind: 'del',
          text: ma[i],
          aLine: head + i + 1,
          bLine: null
        });
        i++;
      } else {
        out.push({
          kind: 'add',
          text: mb[j],
          aLine: null,
          bLine: head + j + 1
        });
        j++;
      }
    }
  }
  for (let k = tail; k > 0; k--) {
    out.push({
      kind: 'same',
      text: la[la.length - k],
      aLine: la.length - k + 1,
      bLine: lb.length - k + 1
    });
  }
  return out;
}

/** Counts of added and deleted lines. */
export function diffStats(diff: IDiffLine[]): {
  added: number;
  deleted: number;
} {
  let added = 0;
  let deleted = 0;
  for (const line of diff) {
    if (line.kind === 'add') {
      added++;
    } else if (line.kind === 'del') {
      deleted++;
    }
  }
  return { added, deleted };
}

function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** A run of unchanged lines left out of a displayed diff. */
export interface IDiffGap {
  /** Number of lines left out. */
  skipped: number;
}

/**
 * Keep `context` unchanged lines around each change and replace longer
 * unchanged runs with a gap, as unified diffs do.
 */
export function collapseUnchanged(
  diff: IDiffLine[],
  context = 3
): (IDiffLine | IDiffGap)[] {
  const out: (IDiffLine | IDiffGap)[] = [];
  let i = 0;
  while (i < diff.length) {
    if (diff[i].kind !== 'same') {
      out.push(diff[i++]);
      continue;
    }
    let j = i;
    while (j < diff.length && diff[j].kind === 'same') {
      j++;
    }
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === diff.length ? 0 : context;
    if (j - i > keepHead + keepTail + 1) {
      out.push(...diff.slice(i, i + keepHead));
      out.push({ skipped: j - i - keepHead - keepTail });
      out.push(...diff.slice(j - keepTail, j));
    } else {
      out.push(...diff.slice(i, j));
    }
    i = j;
  }
  return out;
}
