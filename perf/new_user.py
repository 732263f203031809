"""TAPAS's intervals as a new user meets them (issue 39, point 4); the lesson that reads the result is nbs/09c_lifelong.ipynb.

On datasets the shipped database has never seen: characterize each with the default anchors (K = 8), then train N
networks of the search space (at most 50,000 weights each, one seed) under the database's protocol, the way
`tapas train` does. Every trained network is kept in OUT/new_user/<dataset>.json as it finishes, so a killed run
resumes where it stopped. Then, for k = 0, 8, 16 and 32 of those networks stored in the database (drawn at random,
several draws, each in its own copy of the dataset's database), `predict_accuracy` estimates the others exactly as
`tapas predict --anchors 8` does; the script records, per dataset and k, the share of the others whose trained
accuracy lies inside its 80 % interval, the intervals' mean and narrowest width beside the seed spread they are
floored at, the same coverage and width on the half of the others TAP estimates higher and on the other half, the
mean error and Kendall's τ. Writes OUT/new_user.json and prints a table.

The committed results/new_user.json came from
    OMP_NUM_THREADS=2 .venv/bin/python perf/new_user.py
with nothing else heavy on the machine (about 40 minutes on two cores, almost all of it training); a rerun reuses the
trained networks and only re-scores. A quick check of the machinery:
    perf/new_user.py --datasets 'digits[res=5]' --networks 6 --ks 0 2 --draws 1 --protocol smoke --out /tmp/nu"""
import argparse, json, sqlite3, sys, tempfile, time
from pathlib import Path

NEW_DATASETS = ('digits[pixel_noise=0.3]', 'glyphs[res=8]', 'emoji[n=1000]', 'clipart[res=8]', 'mnist5k[classes=0,1,2,3,4]')

def parse(argv=None):
    from tapas_nb.train import DEFAULT_PROTOCOL
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--datasets', nargs='+', default=list(NEW_DATASETS), help='datasets the shipped database does not hold')
    p.add_argument('--networks', type=int, default=40, help='networks trained on each dataset, default 40')
    p.add_argument('--ks', nargs='+', type=int, default=[0, 8, 16, 32], help='how many of them the database holds')
    p.add_argument('--draws', type=int, default=5, help='random draws of the known networks at each k > 0')
    p.add_argument('--anchors', type=int, default=8, help="anchors, as `tapas predict --anchors` (default: the CLI's)")
    p.add_argument('--protocol', default=DEFAULT_PROTOCOL, help='training protocol (smoke: seconds, for a check only)')
    p.add_argument('--out', default='results', help='folder of new_user.json and new_user/')
    args = p.parse_args(argv)
    if args.networks < 4: p.error(f'--networks must be at least 4 (some known, some scored), got {args.networks}')
    if args.draws < 1: p.error(f'--draws must be at least 1, got {args.draws}')
    if any(k < 0 or k > args.networks - 2 for k in args.ks):
        p.error(f'--ks must lie between 0 and --networks - 2 = {args.networks - 2}, got {args.ks}')
    return args

def networks_for(data, n: int, protocol: str) -> list:
    "The first `n` distinct networks of the search space (seed 11) with at most 50,000 weights, for `data`."
    from tapas_nb.arch import format_arch, sample_archs
    from tapas_nb.search import network_costs
    from tapas_nb.train import get_protocol
    shape = get_protocol(protocol).input_shape(data.input_shape[0])
    pool = [format_arch(a) for a in sample_archs(10 * n, seed=11, classes=data.num_classes, input_shape=shape)]
    weights = network_costs(pool, input_shape=shape, classes=data.num_classes)[:, 0]
    return [s for s, w in zip(pool, weights) if w <= 50_000][:n]

def train_all(name: str, lde, args, runs: Path) -> list:
    "Characterize `name` with its anchors and train its networks, each result kept on disk as it finishes."
    from tapas_nb.characterize import characterize
    from tapas_nb.data import load_dataset
    from tapas_nb.train import train_arch
    data, path = load_dataset(name), runs/f"{name}.json"
    done = {r['arch']: r for r in json.loads(path.read_text())} if path.exists() else {}
    characterize(data, lde=lde, progress=False, anchors=args.anchors)
    for spec in networks_for(data, args.networks, args.protocol):
        if spec in done: continue
        start = time.perf_counter()
        done[spec] = train_arch(spec, data, protocol=args.protocol, seed=0)
        tmp = path.with_suffix('.tmp'); tmp.write_text(json.dumps(list(done.values()))); tmp.replace(path)
        print(f'{name}: {len(done)} trained, {spec} {done[spec]["val_acc"]:.3f} in {time.perf_counter() - start:.1f} s', flush=True)
    return list(done.values())

def copy_database(src: Path, dst: Path):
    "Copy the SQLite database `src` to `dst` whole: its write-ahead log too (a plain file copy would miss it)."
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try: a.backup(b)
    finally: a.close(); b.close()

def score(name: str, results: list, base: Path, args) -> list:
    "Coverage and width (all, and on the halves estimated higher and lower), error and τ of `predict_accuracy` on the networks not known, for each k and draw."
    import numpy as np
    from scipy.stats import kendalltau
    from tapas_nb.lde import LDE
    from tapas_nb.data import load_dataset
    from tapas_nb.tap import predict_accuracy
    data = load_dataset(name)
    truth = np.array([r['val_acc'] for r in results]); specs = [r['arch'] for r in results]
    rows = []
    for k in [k for k in args.ks if k <= len(results) - 2]:
        for draw in range(args.draws if k else 1):
            known = np.zeros(len(results), bool)
            known[np.random.default_rng([k, draw]).choice(len(results), k, replace=False)] = True
            with tempfile.TemporaryDirectory() as tmp:
                copy_database(base, Path(tmp)/'lde.sqlite')
                lde = LDE(f'sqlite:///{tmp}/lde.sqlite', load_seed=False)
                lde.add_dataset(data.name, data.num_classes, data.num_samples, data.input_shape)   # as `tapas train`
                for r in np.array(results, object)[known]: lde.finish(r)
                est = predict_accuracy(data, [s for s, o in zip(specs, known) if not o], lde=lde, anchors=args.anchors)
            t, p = truth[~known], est.predicted_accuracy.to_numpy()
            lo, hi = est.interval_low.to_numpy(), est.interval_high.to_numpy()
            inside, better = (t >= lo) & (t <= hi), p >= np.median(p)   # the half TAP rates higher, as a user sees it
            rows.append(dict(dataset=name, k=k, draw=draw, own_experiments=int(est.own_experiments.iloc[0]),
                             coverage=float(inside.mean()), width=100 * float((hi - lo).mean()),
                             coverage_better_half=float(inside[better].mean()), width_better_half=100 * float((hi - lo)[better].mean()),
                             coverage_worse_half=float(inside[~better].mean()), width_worse_half=100 * float((hi - lo)[~better].mean()),
                             narrowest=100 * float((hi - lo).min()), mae=100 * float(np.abs(t - p).mean()),
                             kendall_tau=float(kendalltau(t, p)[0]), mean_accuracy=100 * float(t.mean()), n=int((~known).sum())))
    return rows

def main(argv=None) -> int:
    args = parse(argv)
    import pandas as pd
    from tapas_nb.lde import LDE
    from tapas_nb.tap import seed_spread
    out = Path(args.out); runs = out/'new_user'; runs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = LDE(f'sqlite:///{tmp}/seed.sqlite', load_seed=True).experiments()
    seen = sorted(set(args.datasets) & set(seeds.dataset))
    if seen: print(f'new_user: the shipped database holds {seen}; give datasets it has never seen', file=sys.stderr); return 2
    spread = 100 * seed_spread(seeds, args.datasets[0])   # a new dataset has no seed pairs: the datasets' median
    rows = []
    for name in args.datasets:   # a database of its own for each: the seed, its probes and anchors (not committed)
        base = runs/f'{name}.{args.protocol}.sqlite'
        trained = train_all(name, LDE(f'sqlite:///{base}', load_seed=not base.exists()), args, runs)
        rows += score(name, trained, base, args)
    rows = pd.DataFrame(rows)
    table = rows.groupby(['dataset', 'k']).mean(numeric_only=True).drop(columns='draw').reset_index()
    inside = table.assign(ok=table.coverage.between(0.7, 0.9)).groupby('k').ok.sum()
    report = dict(datasets=args.datasets, networks=args.networks, anchors=args.anchors, draws=args.draws,
                  protocol=args.protocol, seed_spread=round(spread, 3), per_dataset=json.loads(table.round(4).to_json(orient='records')),
                  inside_70_90={int(k): int(v) for k, v in inside.items()})
    (out/'new_user.json').write_text(json.dumps(report, indent=1))
    print(table.round(3).to_string(index=False))
    print(f'seed spread (the narrowest an interval may be): {spread:.2f} points; datasets inside 70-90 % by k: {report["inside_70_90"]}')
    return 0

if __name__ == '__main__': sys.exit(main())
