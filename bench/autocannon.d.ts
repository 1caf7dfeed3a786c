// The part of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      requests?: Array<{
        method?: string;
        path?: string;
        setupRequest?: (req: Record<string, unknown>, ctx: Record<string, unknown>) => Record<string, unknown>;
      }>;
    }
    interface Result {
      duration: number;
      latency: { p50: number; p99: number; average: number };
      non2xx: number;
      errors: number;
      timeouts: number;
      '2xx': number;
    }
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
