/**
 * How many CPU threads the embedded runtime generates with when `oel.llamacpp.threads` is 0 ("automatic").
 *
 * node-llama-cpp's own default is the number of cores useful for math or 4, whichever is higher: on a 2-core machine
 * that is 4 threads on 2 cores. ggml's threads wait for each other at every token, so when they outnumber the free
 * cores each token waits for a thread the scheduler has parked: measured on the 2-core VM, a turn of 64 tokens with
 * the agent's tools took 18-27 s at that default and 0.2 s on 1 thread (docs/benchmarks.md). The model also shares
 * the machine with the editor it serves (extension host, renderer, language servers), so one core is left to it.
 */
export function autoThreads(logicalCores: number, mathCores?: number): number {
  const spare = Math.max(1, Math.floor(logicalCores) - 1);
  const math = mathCores !== undefined && mathCores > 0 ? Math.floor(mathCores) : spare;
  return Math.max(1, Math.min(math, spare));
}
