// Aho–Corasick over a fixed set of literal strings: one pass over a text finds every occurrence of every
// literal (overlapping ones too). The classifier uses it instead of a `text.includes` per lexicon trigger and
// to find where anchored patterns can start (anchors.ts), so a report costs one scan, not hundreds.
// The automaton is a dense table over the few characters the literals use (a step is two array reads);
// any other character leads back to the root.

export class LiteralIndex {
  readonly literals: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Character code → column (0: a character no literal uses). */
  private readonly column = new Uint16Array(65536);
  private readonly width: number;
  private readonly delta: Uint16Array | Int32Array;
  /** Literal ids ending at a state, and the nearest state on the failure chain that ends some literal. */
  private readonly ends: number[][];
  private readonly dict: Int32Array;

  constructor(literals: Iterable<string>) {
    for (const lit of literals)
      if (lit && !this.ids.has(lit)) {
        this.ids.set(lit, this.literals.length);
        this.literals.push(lit);
      }
    let width = 1;
    for (const lit of this.literals)
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (!this.column[c]) this.column[c] = width++;
      }
    this.width = width;
    // The trie first, as maps; then the full transition table in breadth-first order.
    const trie: Array<Map<number, number>> = [new Map()];
    this.ends = [[]];
    this.literals.forEach((lit, id) => {
      let node = 0;
      for (let i = 0; i < lit.length; i++) {
        const col = this.column[lit.charCodeAt(i)];
        let to = trie[node].get(col);
        if (to === undefined) {
          to = trie.length;
          trie.push(new Map());
          this.ends.push([]);
          trie[node].set(col, to);
        }
        node = to;
      }
      this.ends[node].push(id);
    });
    const n = trie.length;
    this.delta = n < 65536 ? new Uint16Array(n * width) : new Int32Array(n * width);
    this.dict = new Int32Array(n).fill(-1);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (const [col, to] of trie[0]) {
      this.delta[col] = to;
      queue.push(to);
    }
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      const f = fail[node];
      for (let col = 1; col < width; col++) this.delta[node * width + col] = this.delta[f * width + col];
      for (const [col, to] of trie[node]) {
        this.delta[node * width + col] = to;
        const ft = node === 0 ? 0 : this.delta[f * width + col];
        fail[to] = ft;
        this.dict[to] = this.ends[ft].length ? ft : this.dict[ft];
        queue.push(to);
      }
    }
  }

  id(literal: string): number | undefined {
    return this.ids.get(literal);
  }

  /** Start offsets of every occurrence, per literal id (ascending); literals absent from the text are absent. */
  scan(text: string): Map<number, number[]> {
    const found = new Map<number, number[]>();
    const { column, delta, width, ends, dict, literals } = this;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = delta[node * width + column[text.charCodeAt(i)]];
      if (node === 0) continue;
      for (let d = ends[node].length ? node : dict[node]; d > 0; d = dict[d]) {
        for (const id of ends[d]) {
          const start = i - literals[id].length + 1;
          const list = found.get(id);
          if (list) list.push(start);
          else found.set(id, [start]);
        }
      }
    }
    return found;
  }
}
