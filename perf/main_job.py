"""The main job against what a user would do instead (issue 37, point 5; the lesson is nbs/15_main_job.ipynb).

On datasets the shipped database does not hold, for each seed, four methods each get the same time budget and train
what they choose under the database's protocol: TAPAS (characterize with DCN and its default anchors, search, train
its picks), random search with training, regularized evolution with training, and a zero-cost proxy (SynFlow)
choosing what to train. The clock of a run is the sum of the measured durations of its steps; steps run one at a time.

Every run keeps its own database and step log in OUT/main_job_runs/, so the script is resumable: run it again after a
kill (or with a larger --budget) and finished steps are replayed from the record, not redone. It prints a row per
run as it goes and writes OUT/main_job_comparison.json (curves, best accuracy at 60/120/300/600 s, and the time
TAPAS takes to reach random search's final accuracy as a fraction of the budget).

The committed results/main_job_comparison.json came from each run pinned to one core with one torch thread, the two
datasets side by side (a run's steps are timed on its own core, so the methods share the same conditions), then the
weight budget (TAPAS and random search) on one core:
    export OMP_NUM_THREADS=1
    nohup taskset -c 0 .venv/bin/python perf/main_job.py --budget 600 --threads 1 --datasets 'emoji[pixel_noise=0.3]' > mjA.log 2>&1 &
    nohup taskset -c 1 .venv/bin/python perf/main_job.py --budget 600 --threads 1 --datasets 'fashion[classes=0,3,6]' > mjB.log 2>&1 &
    taskset -c 0 .venv/bin/python perf/main_job.py --budget 600 --threads 1 --max-weights 20000 --methods tapas random \
        --datasets 'fashion[classes=0,3,6]'
(nothing else heavy on the machine meanwhile). Run again with every dataset to rewrite the summary from the records.
A quick check of the machinery: perf/main_job.py --budget 10 --protocol smoke --anchors 0 --out /tmp/mj"""
import argparse, os, sys

def parse(argv=None):
    from tapas_nb.main_job import COMPARISON_DATASETS, METHODS, SEARCH_SECONDS
    from tapas_nb.search import DEFAULT_ANCHORS
    from tapas_nb.train import DEFAULT_PROTOCOL
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--budget', type=float, default=600, help='seconds per run (sum of its steps), default 600')
    p.add_argument('--datasets', nargs='+', default=list(COMPARISON_DATASETS), help='datasets the shipped database does not hold')
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1])
    p.add_argument('--methods', nargs='+', default=list(METHODS), help=f"some of {', '.join(METHODS)}")
    p.add_argument('--max-weights', type=float, default=None, help='the weight budget of every network')
    p.add_argument('--out', default='results', help='folder of main_job_comparison.json and main_job_runs/')
    p.add_argument('--protocol', default=DEFAULT_PROTOCOL, help='training protocol (smoke: seconds, for a check only)')
    p.add_argument('--anchors', type=int, default=DEFAULT_ANCHORS, help="TAPAS's anchors (the default is the CLI's)")
    p.add_argument('--search-seconds', type=float, default=SEARCH_SECONDS, help="TAPAS's search and the proxy's scoring, at most")
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='torch threads of each step (steps run one at a time)')
    return p.parse_args(argv)

def main(argv=None) -> int:
    args = parse(argv)
    import torch
    torch.set_num_threads(args.threads)
    from tapas_nb.main_job import compare
    mw = args.max_weights
    mw = int(mw) if mw is not None and mw == int(mw) and mw > 0 else mw
    try:
        report = compare(args.datasets, seeds=args.seeds, budget=args.budget, methods=args.methods, out=args.out,
                         max_weights=mw, protocol=args.protocol, anchors=args.anchors,
                         search_seconds=args.search_seconds, score_seconds=args.search_seconds)
    except ValueError as e:
        flag = {'datasets': '--datasets', 'budget': '--budget', 'method': '--methods', 'seed': '--seeds',
                'max_weights': '--max-weights', 'protocol': '--protocol', 'anchors': '--anchors'}
        msg = str(e)
        for name, f in flag.items(): msg = msg.replace(f'{name} must', f'{f} must').replace(f'{name}: ', f'{f}: ')
        print(f'main_job: {msg}', file=sys.stderr)
        return 2
    print('\n| dataset | method | ' + ' | '.join(f'mean best @{t:g}s' for t in next(iter(report.values()))['checkpoints']) + ' |')
    for entry in report.values():
        for m, per in entry['best_at'].items():
            print(f"| {entry['dataset']} | {m} | " + ' | '.join('-' if v['mean'] is None else f"{v['mean']:.4f}" for v in per.values()) + ' |')
    print('\nTAPAS to random search\'s final accuracy (fraction of the budget; null: never, with what TAPAS reached):')
    for entry in report.values():
        for seed, r in sorted(entry['tapas_to_random_final'].items()):
            print(f"  {entry['dataset']} seed {seed}: random {r['random_final']}, fraction {r['fraction']}, tapas best {r['tapas_best']}")
    print(f"written: {os.path.join(args.out, 'main_job_comparison.json')}")
    return 0

if __name__ == '__main__': sys.exit(main())
