"""Search throughput: random search and evolution with the real TAP fitness, at 100,000 candidates each.

Fitness: the TAP that `tap_for_dataset` gives for Fashion-MNIST's DCN with every dataset selected (the shipped TAP, tapas_nb/assets/tap.*;
where it does not fit the seed database, one fitted on it) predicting accuracy on Fashion-MNIST (its DCN from the seed database; no probe training), 10 classes, CPU space, 16x16 input.
The database is opened in a temporary TAPAS_HOME so the user's own is left alone.
Each row also splits the time into making candidates (sampling / mutation, with deduplication) and scoring them (TAP).
The rows run on one thread (`--threads`), but for `evo, 2 workers`: the same evolution with TAP's predictions shared by
two threads (`workers=2`, as the main job runs on a machine with two cores).
The limit row is `bench_predict`'s bare two-layer LSTMCell stack of TAP's sizes over 12 steps, on batches of 2,000 (the
evolution's children per generation): arithmetic alone, no TAP, no search; `x limit` is candidates/s over its rate.
With `--seeds K`, evolution runs again for seeds 0..K-1 and a second table gives the best network and top-10 mean each
found at N candidates (the search's quality at an equal budget), and their means.
Run: .venv/bin/python perf/bench_search.py [N] [--threads T] [--seeds K]"""
import argparse, os, platform, tempfile, time
import numpy as np
import torch
from bench_predict import bare_stack   # this folder is on the path when the script runs

def seed_table(fitness, n: int, seeds: int):
    "Evolution at `n` candidates for seeds 0..`seeds`-1: the best predicted accuracy and top-10 mean of each, and their means."
    from tapas_nb.search import search
    rows = []
    for s in range(seeds):
        t0 = time.perf_counter()
        res = search(fitness, n=n, method='evolution', seed=s, progress=False)
        rows.append((s, res.predicted_accuracy.iloc[0], res.predicted_accuracy.mean(), n / (time.perf_counter() - t0)))
    print(f"\n| seed | best pred. | top-10 mean | candidates/s |\n|---:|---:|---:|---:|")
    for s, best, mean, rate in rows: print(f"| {s} | {best:.4f} | {mean:.4f} | {rate:,.0f} |")
    b, m, r = (np.mean([row[i] for row in rows]) for i in (1, 2, 3))
    print(f"| mean | {b:.4f} | {m:.4f} | {r:,.0f} |")
    return rows

def main(n: int = 100_000, seed: int = 0, threads: int = 1, seeds: int = 0):
    torch.set_num_threads(threads)
    os.environ.setdefault('TAPAS_HOME', tempfile.mkdtemp(prefix='tapas_bench_'))
    from tapas_nb.characterize import characterize
    from tapas_nb.lde import LDE
    from tapas_nb.search import search, tap_fitness
    from tapas_nb.tap import tap_for_dataset
    lde = LDE()
    dcn = characterize('fashion', lde=lde, progress=False)['dcn']
    tap, source, _ = tap_for_dataset(lde, dcn, progress=False)
    which = f'TAP: {source}'
    fitness, both = tap_fitness(tap, dcn, 10), tap_fitness(tap, dcn, 10, workers=2)
    scoring = [0.0]
    def timed(f):
        def timed_fitness(archs):
            t0 = time.perf_counter(); out = f(archs); scoring[0] += time.perf_counter() - t0; return out
        return timed_fitness
    fitness(['C8k3 G L']); both(['C8k3 G L'])   # warm-up: first call pays for lazy initialisation
    rows = []
    for label, method, f in (('random', 'random', fitness), ('evolution', 'evolution', fitness), ('evo, 2 workers', 'evolution', both)):
        scoring[0] = 0.0
        t0 = time.perf_counter()
        res = search(timed(f), n=n, method=method, seed=seed, progress=False)
        t = time.perf_counter() - t0
        rows.append((label, res.attrs['evaluated'], t, scoring[0], res.predicted_accuracy.iloc[0], res.predicted_accuracy.mean(), res.spec.iloc[0]))
    limit_s = sum(bare_stack(min(2000, n - i)) for i in range(0, n, 2000))
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, torch threads {threads}, "
          f"load average {load:.2f}; {which}; fashion DCN {dcn:.3f}; seed {seed}\n")
    print(f"| {'method':<14} | {'candidates':>10} | {'seconds':>7} | {'scoring s':>9} | {'candidates/s':>12} | {'per minute':>10} | {'x limit':>7} | {'best pred.':>10} | {'top-10 mean':>11} |")
    print(f"|{'-'*16}|{'-'*11}:|{'-'*8}:|{'-'*10}:|{'-'*13}:|{'-'*11}:|{'-'*8}:|{'-'*11}:|{'-'*12}:|")
    for m, k, t, s, best, mean, _ in rows:
        print(f"| {m:<14} | {k:>10,} | {t:>7.1f} | {s:>9.1f} | {k/t:>12,.0f} | {60*k/t:>10,.0f} | {k/t/(n/limit_s):>7.2f} | {best:>10.4f} | {mean:>11.4f} |")
    print(f"| {'limit':<14} | {n:>10,} | {limit_s:>7.1f} | {limit_s:>9.1f} | {n/limit_s:>12,.0f} | {60*n/limit_s:>10,.0f} | {1:>7.2f} | {'':>10} | {'':>11} |")
    print()
    for m, *_, spec in rows: print(f"best of {m}: {spec}")
    if seeds: seed_table(fitness, n, seeds)
    return rows

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('n', nargs='?', type=int, default=100_000)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seeds', type=int, default=0, help='also run evolution for seeds 0..K-1 and tabulate what each found')
    a = ap.parse_args()
    main(a.n, a.seed, a.threads, a.seeds)
