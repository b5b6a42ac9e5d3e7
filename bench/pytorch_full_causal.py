"""Full causal softmax attention in PyTorch on one CPU thread: the yardstick of issue 9.

Query blocks of 128 rows; each block reads only the causal columns (keys up to its last row), with
the diagonal block masked. Prints the median and the fastest of the timed runs in milliseconds.

Run with OpenBLAS's old-CPU overrides unset for this command alone, e.g.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/pytorch_full_causal.py --n 4096
(Debian: apt-get install python3-torch libopenblas0-pthread).
"""
import argparse
import json
import statistics
import time

import torch


def causal_attention(q, k, v, block):
    n, d = q.shape
    out = torch.empty_like(q)
    scale = d ** -0.5
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = (q[start:stop] @ k[:stop].T) * scale
        rows = torch.arange(start, stop).unsqueeze(1)
        cols = torch.arange(stop).unsqueeze(0)
        scores.masked_fill_(cols > rows, float("-inf"))
        out[start:stop] = torch.softmax(scores, dim=-1) @ v[:stop]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--block", type=int, default=128)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(args.n, args.d, generator=gen) for _ in range(3))
    causal_attention(q, k, v, args.block)  # warm-up
    samples = []
    for _ in range(args.runs):
        start = time.perf_counter()
        causal_attention(q, k, v, args.block)
        samples.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "n": args.n, "d": args.d,
                      "block": args.block, "median_ms": statistics.median(samples), "min_ms": min(samples)}))


if __name__ == "__main__":
    main()
