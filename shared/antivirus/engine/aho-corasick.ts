/**
 * A byte-level Aho–Corasick automaton compiled to a dense DFA (`next[state * 256 + byte]`), so scanning
 * is one table lookup per input byte whatever the number of patterns. Each state lists the pattern ids
 * that end there (its own and those reached through failure links).
 */

export interface Automaton {
  /** Transition table, 256 entries per state; state 0 is the root. 16-bit when the states fit. */
  readonly next: Uint16Array | Int32Array;
  /** States are numbered so that exactly those from `firstOutput` on have outputs. */
  readonly firstOutput: number;
  /** Outputs of state s are `outputs[outStart[s] .. outStart[s + 1])`. */
  readonly outStart: Int32Array;
  readonly outputs: Int32Array;
  readonly states: number;
}

/** Builds the automaton; pattern i is reported with id i. Empty patterns are not allowed. */
export function buildAutomaton(patterns: readonly Uint8Array[]): Automaton {
  // Trie with sparse children while building.
  const children: Map<number, number>[] = [new Map()];
  const own: number[][] = [[]];
  patterns.forEach((p, id) => {
    if (p.length === 0) throw new Error(`Aho-Corasick: pattern ${id} is empty`);
    let s = 0;
    for (const b of p) {
      let t = children[s]?.get(b);
      if (t === undefined) {
        t = children.length;
        children.push(new Map());
        own.push([]);
        children[s]?.set(b, t);
      }
      s = t;
    }
    own[s]?.push(id);
  });
  const states = children.length;
  const trans = new Int32Array(states * 256);
  const fail = new Int32Array(states);
  const outputs: number[][] = own.map((o) => [...o]);
  // Breadth-first: a state's failure target is final before its children are processed.
  const queue: number[] = [];
  for (let b = 0; b < 256; b++) {
    const t = children[0]?.get(b);
    if (t !== undefined) {
      trans[b] = t;
      queue.push(t);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] as number;
    const f = fail[s] as number;
    const merged = outputs[s] as number[];
    for (const id of outputs[f] as number[]) merged.push(id);
    const base = s * 256;
    const fbase = f * 256;
    for (let b = 0; b < 256; b++) {
      const t = children[s]?.get(b);
      if (t !== undefined) {
        trans[base + b] = t;
        fail[t] = trans[fbase + b] as number;
        queue.push(t);
      } else {
        trans[base + b] = trans[fbase + b] as number;
      }
    }
  }
  // Renumber: states without outputs first (the root stays 0), so a hit test is one comparison.
  const order = [...Array(states).keys()].sort(
    (a, b) =>
      Number((outputs[a] as number[]).length > 0) - Number((outputs[b] as number[]).length > 0) || a - b,
  );
  const rename = new Int32Array(states);
  order.forEach((old, neu) => {
    rename[old] = neu;
  });
  const firstOutput = order.findIndex((old) => (outputs[old] as number[]).length > 0);
  const next = states <= 0x10000 ? new Uint16Array(states * 256) : new Int32Array(states * 256);
  const outStart = new Int32Array(states + 1);
  const flat: number[] = [];
  order.forEach((old, neu) => {
    for (let b = 0; b < 256; b++) next[neu * 256 + b] = rename[trans[old * 256 + b] as number] as number;
    outStart[neu] = flat.length;
    for (const id of outputs[old] as number[]) flat.push(id);
  });
  outStart[states] = flat.length;
  return {
    next,
    firstOutput: firstOutput < 0 ? states : firstOutput,
    outStart,
    outputs: Int32Array.from(flat),
    states,
  };
}
