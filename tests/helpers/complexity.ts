// Complexity checks for the abuse suite: an input-driven algorithm run at two sizes 10x apart must cost about 10x,
// not 100x. CPU time of this process (not wall time), the best of a few rounds at each size, compared as a ratio,
// so a noisy shared host moves both sides alike. Sizes are chosen so the large run takes tens of milliseconds.
export async function cpuMs(fn: () => unknown | Promise<unknown>, rounds = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** Cost of `run(large)` over `run(small)`, after one warm-up run of each (JIT, caches). */
export async function growth(
  run: (n: number) => unknown | Promise<unknown>,
  small: number,
  large: number,
): Promise<number> {
  await run(small);
  await run(large);
  const a = await cpuMs(() => run(small));
  const b = await cpuMs(() => run(large));
  // A floor of 1 ms keeps a tiny small-size run from making the ratio meaningless.
  return b / Math.max(a, 1);
}

/** Linear work grows ~10x for 10x input; quadratic work grows ~100x. Between the two, with room for noise. */
export const LINEAR_BOUND = 30;
