"""Dataset characterization: repeatability over 3 seeds, and the cost on a 10,000-image dataset (probe nets and anchors).

    python perf/bench_characterize.py            (about 4 minutes on 2 idle cores)
    python perf/bench_characterize.py --cost     (the cost table only, about 1.5 minutes)

The cost table times `characterize('fashion[n=10000]')` (the two probe nets, nothing cached) with torch on one thread
and on both cores, and `anchor_accuracies` for 4 anchors on both cores, per anchor. The dataset is loaded (and its
variant built) once before the timings, as a user's second call finds it. No database is opened: nothing is cached
or written there."""
import argparse, os, time
import numpy as np, pandas as pd, torch

def repeatability():
    from tapas_nb.characterize import characterize, PROBE_VERSION
    rows = []
    for name in ['digits', 'mnist5k', 'fashion']:
        runs = [characterize(name, seed=s, progress=False) for s in range(3)]
        dcns = [r['dcn'] for r in runs]
        rows.append(dict(dataset=name, seeds=3, dcn_mean=np.mean(dcns), dcn_std=np.std(dcns),
                         seconds_per_run=np.mean([r['seconds'] for r in runs])))
    print(f'## Repeatability ({PROBE_VERSION}, torch threads {torch.get_num_threads()})\n')
    print(pd.DataFrame(rows).round(4).to_string(index=False))

def cost(name: str = 'fashion[n=10000]', anchors: int = 4):
    from tapas_nb.characterize import characterize
    from tapas_nb.anchors import anchor_accuracies
    from tapas_nb.data import load_dataset
    start = time.perf_counter(); data = load_dataset(name); first_load = time.perf_counter() - start
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        start = time.perf_counter(); r = characterize(data, progress=False)
        rows.append(dict(what=f'probe nets (DCN {r["dcn"]:.3f})', threads=threads, seconds=time.perf_counter() - start))
    torch.set_num_threads(2)
    a = anchor_accuracies(data, anchors, progress=False)
    for spec, s in zip(a['anchors'], a['seconds']): rows.append(dict(what=f'anchor {spec}', threads=2, seconds=s))
    rows.append(dict(what=f'anchors: mean per anchor (K={anchors})', threads=2, seconds=float(np.mean(a['seconds']))))
    print(f'\n## Cost on a 10,000-image dataset ({data.name}, {data.num_samples:,} images; first load {first_load:.1f} s; '
          f'load average {os.getloadavg()[0]:.2f})\n')
    print('| what | torch threads | seconds |\n|---|---:|---:|')
    for r in rows: print(f"| {r['what']} | {r['threads']} | {r['seconds']:.1f} |")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cost', action='store_true', help='only the cost table')
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('THREADS', '2')))
    if not args.cost: repeatability()
    cost()
