import type { DeviceArray, KernelHandle, KernelRunner } from './runner';

/**
 * Inclusive scan over chunks (Hillis-Steele): ceil(log2(chunks)) passes of one step kernel with
 * output [width, chunks]; pass k combines chunk ch with chunk ch - 2^k. The step kernel takes
 * (state, offset, ...extra). Each pass replaces the previous array, so at most two are live.
 * Used instead of a sequential loop over N so that no kernel loops over the sequence (GL
 * backends stop long loops silently) and every chunk is a parallel thread.
 */
export async function inclusiveScan(
  runner: KernelRunner,
  step: KernelHandle,
  first: DeviceArray,
  chunks: number,
  extra: ReadonlyArray<DeviceArray | number> = [],
): Promise<DeviceArray> {
  let state = first;
  for (let offset = 1; offset < chunks; offset *= 2) {
    const next = await runner.run(step, [state, offset, ...extra]);
    runner.release(state);
    state = next;
  }
  return state;
}

/** Number of scan passes for a chunk count, for cost models. */
export function scanPasses(chunks: number): number {
  return chunks <= 1 ? 0 : Math.ceil(Math.log2(chunks));
}
