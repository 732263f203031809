"""Prediction speed: encoding + the shipped TAP on 10,000 sampled architectures (one torch thread).

    python benchmarks/bench_predict.py"""
import time
import torch
from tapas_nb.arch import sample_archs, format_arch
from tapas_nb.tap import shipped_tap

torch.set_num_threads(1)
specs = [format_arch(a) for a in sample_archs(10_000, seed=7)]
tap = shipped_tap()
tap.predict(specs[:100], 0.8, 10)                      # warm-up
rows = []
for batch in (512, 4096):
    start = time.perf_counter()
    pred = tap.predict(specs, 0.8, 10, batch_size=batch)
    s = time.perf_counter() - start
    rows.append((batch, len(specs), s, len(specs) / s))
print(f'shipped TAP: {tap.config.members} members, hidden {tap.config.hidden1}/{tap.config.hidden2}\n')
print('| batch | archs | seconds | archs/s |\n|---:|---:|---:|---:|')
for b, n, s, r in rows: print(f'| {b} | {n} | {s:.2f} | {r:,.0f} |')
