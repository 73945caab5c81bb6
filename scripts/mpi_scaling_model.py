#!/usr/bin/env python3
"""Issue 18's paper model of data-parallel speed-up (docs/distributed.md): ring all-reduce of fp32 gradients.

Each step every rank sends and receives 2(N-1)/N x S bytes (S = 4 bytes x parameters) in 2(N-1) rounds per bucket,
so t_comm = 2(N-1)/N x S / B + 2(N-1) x alpha x buckets. A step computes for t_compute (forward + backward, the
backward taking 2/3 of it); with buckets started during the backward pass the exposed communication is
max(0, t_comm - 2/3 t_compute) (perfect overlap) and t_comm without overlap. Speed-up = N x t_compute / step time.

Usage: scripts/mpi_scaling_model.py [--compute-seconds BASE LARGE] [--alpha-us 10]
"""
import argparse

MODELS = {"BERT-base": 110_106_428, "BERT-large": 335_174_458}
LINKS_GBIT = [25, 100]
RANKS = [8, 64, 512]
BUCKET_BYTES = 25 * 2**20


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--compute-seconds", nargs=2, type=float, metavar=("BASE", "LARGE"), default=None,
                   help="seconds of forward+backward per step for BERT-base and BERT-large on one rank")
    p.add_argument("--alpha-us", type=float, default=10.0, help="per-message latency in microseconds")
    a = p.parse_args()
    scenarios = [("accelerator, 0.25 s / 0.75 s a step", {"BERT-base": 0.25, "BERT-large": 0.75})]
    if a.compute_seconds:
        scenarios.insert(0, (f"measured CPU, {a.compute_seconds[0]:g} s / {a.compute_seconds[1]:g} s a step",
                             dict(zip(MODELS, a.compute_seconds))))
    print("| model | gradient MB | link | ranks | all-reduce s | step compute | speed-up, no overlap | speed-up, overlap |")
    print("|---|---|---|---|---|---|---|---|")
    for label, compute in scenarios:
        for name, params in MODELS.items():
            size = 4 * params
            buckets = -(-size // BUCKET_BYTES)
            for gbit in LINKS_GBIT:
                bandwidth = gbit * 1e9 / 8
                for n in RANKS:
                    t_comm = 2 * (n - 1) / n * size / bandwidth + 2 * (n - 1) * a.alpha_us * 1e-6 * buckets
                    t = compute[name]
                    plain = n * t / (t + t_comm)
                    hidden = n * t / (t + max(0.0, t_comm - 2 / 3 * t))
                    print(f"| {name} | {size / 1e6:.0f} | {gbit} Gb/s | {n} | {t_comm:.3f} | {t:g} s ({label.split(',')[0]}) "
                          f"| {plain:.1f} ({plain / n:.0%}) | {hidden:.1f} ({hidden / n:.0%}) |")


if __name__ == "__main__":
    main()
