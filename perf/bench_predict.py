"""Prediction speed: encoding + the shipped TAP on 10,000 sampled architectures (one torch thread), beside its limit.

    python perf/bench_predict.py [--n 10000] [--alternations 8]

Rows, all timed in this one process on the same kind of input (spec strings, parsed inside the timing):
- `TAP.predict` at batch 1024, 4096 and 16384 (its default: 10,000 in one tree): the prefix tree (`02b_prefix_tree`) and
  `TAPNet.tree_estimates`, levels in chunks of 384 nodes; and at 16384 with `workers=2`, the chunks shared by two
  threads (both cores, as the main job runs; the other rows and the limit use one); and at 16384 by torch's ops, the
  native level step (`07e_native`, on by default where a C compiler is) turned off; each timed run gets architectures
  it has never seen, so that no cache of an earlier run holds them, after a warm-up on 10,000 others (the memo of layer steps and the
  buffers fill as in a long search; the warm-up's own rate is printed too);
- the padded path that fitting takes (`TAP._padded_estimates`: `_encode` + `TAPNet.forward`, then the MLP), which
  `predict` used before;
- the limit: a bare two-layer `torch.nn.LSTMCell` stack of TAP's sizes (inputs 2 x 19 + 1, hidden 50 and 100) over
  12 steps on a batch of the same size, arithmetic and nothing else (the issue's reference).
Each row is the median of 3 runs. The `x limit` column is archs/s over the bare stack's archs/s. Because this
machine's speed drifts from one minute to the next, a second table alternates the native step and torch's ops call by
call (`--alternations K` calls each, fresh networks every call). A profile of one predict call follows."""
import argparse, cProfile, io, itertools, os, pstats, time
from contextlib import contextmanager
import numpy as np
import torch
from tapas_nb.arch import sample_archs, format_arch
from tapas_nb.tap import shipped_tap
from tapas_nb.native import native_lib

REPEATS = 3   # each row is the median of this many runs, each on architectures of its own

def bare_stack(n: int, steps: int = 12, inputs: int = 39, h1: int = 50, h2: int = 100) -> float:
    "Seconds for a bare LSTMCell stack over `steps` steps on a batch of `n`."
    c1, c2 = torch.nn.LSTMCell(inputs, h1), torch.nn.LSTMCell(h1, h2)
    x = torch.randn(steps, n, inputs)
    with torch.no_grad():
        start = time.perf_counter()
        s1 = s2 = None
        for t in range(steps):
            s1 = c1(x[t], s1); s2 = c2(s1[0], s2)
        return time.perf_counter() - start

def padded(tap, specs, dcn=0.8, classes=10) -> np.ndarray:
    "`predict` through the padded walk that fitting takes, every network stepped to its batch's longest: the path before the prefix tree."
    tap._layer_estimates = tap._padded_estimates   # on this instance only
    try: return tap.predict(specs, dcn, classes, batch_size=4096)
    finally: del tap._layer_estimates

@contextmanager
def torch_ops(tap):
    "`tap` predicts by torch's ops, the native level step turned off on this instance only."
    tap.net._native_step = lambda *args: None
    try: yield
    finally: del tap.net._native_step

def timed(tap, specs) -> float:
    "Seconds of one default `predict` call."
    start = time.perf_counter(); tap.predict(specs, 0.8, 10); return time.perf_counter() - start

def alternated(tap, n: int, k: int) -> dict:
    "archs/s of `predict` with the native step and with torch's ops, `k` calls each, alternating, fresh networks each call."
    pools = iter([format_arch(a) for a in sample_archs(n, seed=1000 + i)] for i in range(2 * k))
    rates = {'native step': [], "torch's ops": []}
    for _ in range(k):
        rates['native step'].append(n / timed(tap, next(pools)))
        with torch_ops(tap): rates["torch's ops"].append(n / timed(tap, next(pools)))
    return rates

def main(n: int, alternations: int = 8):
    torch.set_num_threads(1)
    tap = shipped_tap()
    pool = [format_arch(a) for a in sample_archs((5 * REPEATS + 1) * n, seed=7)]
    fresh = iter(pool[i:i + n] for i in range(0, len(pool), n))
    warm = [format_arch(a) for a in sample_archs(n, seed=8)]
    start = time.perf_counter(); tap.predict(warm, 0.8, 10); first = time.perf_counter() - start
    bare_stack(1000)
    rows = []
    for batch in (1024, 4096, 16384):
        times = []
        for specs in itertools.islice(fresh, REPEATS):
            start = time.perf_counter(); tap.predict(specs, 0.8, 10, batch_size=batch); times.append(time.perf_counter() - start)
        rows.append((f'TAP.predict, batch {batch}', float(np.median(times))))
    times = []
    for specs in itertools.islice(fresh, REPEATS):
        start = time.perf_counter(); tap.predict(specs, 0.8, 10, workers=2); times.append(time.perf_counter() - start)
    rows.append(('TAP.predict, batch 16384, 2 workers (both cores)', float(np.median(times))))
    with torch_ops(tap): times = [timed(tap, specs) for specs in itertools.islice(fresh, REPEATS)]
    rows.append(('TAP.predict, batch 16384, torch ops (native step off)', float(np.median(times))))
    specs = next(fresh)
    start = time.perf_counter(); old = padded(tap, specs); s = time.perf_counter() - start
    rows.append(('padded forward (before), batch 4096', s))
    new = tap.predict(specs, 0.8, 10)
    rows.append(('bare LSTMCell 50/100 stack, 12 steps (limit)', float(np.median([bare_stack(n) for _ in range(REPEATS)]))))
    limit = n / rows[-1][1]
    load = os.getloadavg()[0]
    print(f'native level step: {"on" if native_lib() else "off"}; shipped TAP: {tap.config.members} members, hidden {tap.config.hidden1}/{tap.config.hidden2}; {n:,} architectures '
          f'per row; load average {load:.2f}; largest |tree - padded| {np.abs(new - old).max():.1e}; warm-up (first call '
          f'of the process, {n:,} others) {n / first:,.0f} archs/s\n')
    print('| what | seconds | archs/s | x limit |\n|---|---:|---:|---:|')
    for name, s in rows: print(f'| {name} | {s:.3f} | {n / s:,.0f} | {n / s / limit:.2f} |')
    if native_lib() and alternations:
        print(f'\nalternating, {alternations} calls each (archs/s):\n\n| path | median | lowest | highest |\n|---|---:|---:|---:|')
        for name, r in alternated(tap, n, alternations).items():
            print(f'| {name} | {np.median(r):,.0f} | {min(r):,.0f} | {max(r):,.0f} |')
    prof = cProfile.Profile()
    specs = [format_arch(a) for a in sample_archs(n, seed=99)]
    prof.enable(); tap.predict(specs, 0.8, 10); prof.disable()
    buf = io.StringIO(); pstats.Stats(prof, stream=buf).sort_stats('tottime').print_stats(10)
    print('\nprofile of one predict call (10 largest own times):\n' + '\n'.join(buf.getvalue().splitlines()[4:]))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=10_000)
    ap.add_argument('--alternations', type=int, default=8, help='calls each of the native step and torch ops, alternating (0: none)')
    args = ap.parse_args()
    main(args.n, args.alternations)
