"""Growth on Ray: experiments per minute with 1 and 2 Ray workers on this machine, and the cost of a Ray task
against the plain grower, timed in the same run.

    unshare -n sh -c 'ip link set lo up; .venv/bin/python perf/bench_ray.py [--jobs 24] [--protocol smoke]'

(Ray binds to the machine's interface address unless only loopback exists, hence `unshare -n`, as root; elsewhere
drop it.) Every configuration grows the same plan (`--jobs` panel networks on `--dataset`) into a fresh SQLite
database: first the plain grower in this process, one torch thread (the reference); then, for 1 and 2 workers,
a local Ray with that many CPUs, on which the plan runs twice: `cold` is the sitting's first run (Ray starts its
worker processes, which import torch), `warm` the second, into another fresh database, on the workers of the
first; the plain grower runs once more at the end, to show how much the machine's load drifted meanwhile.
`other_s_per_exp` is what a sitting spends per experiment besides training (wall time less the training time the
database records), where the experiments run one at a time; the overhead of a Ray task is the warm one-worker
figure less the plain grower's."""
import argparse, os, tempfile, time
import pandas as pd, torch

p = argparse.ArgumentParser()
p.add_argument('--jobs', type=int, default=24); p.add_argument('--dataset', default='digits')
p.add_argument('--protocol', default='smoke'); p.add_argument('--workers', type=int, nargs='+', default=[1, 2])
args = p.parse_args()
os.environ.setdefault('TAPAS_HOME', tempfile.mkdtemp())
os.environ.update(RAY_AUTH_MODE='token', RAY_AUTH_TOKEN=os.urandom(16).hex())   # nothing written to ~/.ray
torch.set_num_threads(1)
import ray
from tapas_nb.lde import LDE
from tapas_nb.grow import plan_growth, prepare_jobs, run_jobs, run_jobs_ray

jobs = plan_growth([args.dataset], archs=args.jobs)
tmp = tempfile.mkdtemp()
prepare_jobs(LDE(f'sqlite:///{tmp}/warmup.sqlite'), jobs, args.protocol, False)   # the dataset cache, for every run
def fresh(name: str) -> LDE: return LDE(f'sqlite:///{tmp}/{name}.sqlite')
def sitting(grow, name: str, **kw) -> dict:
    lde = fresh(name)
    start = time.perf_counter()
    counts = grow(lde, jobs, args.protocol, characterize_datasets=False, progress=False, **kw)
    seconds = time.perf_counter() - start
    assert counts['trained'] == len(jobs), counts
    train = lde.experiments().seconds.sum()
    return dict(seconds=seconds, per_minute=60 * len(jobs) / seconds, training_s=train,
                other_s_per_exp=(seconds - train) / len(jobs))

rows = [dict(run='plain grower (reference)', workers=1, **sitting(run_jobs, 'plain'))]
for k in args.workers:
    start = time.perf_counter()
    for attempt in range(3):   # on a busy machine a Ray node may time out while it starts: start it again
        try: ray.init(num_cpus=k, include_dashboard=False, log_to_driver=False, logging_level='warning'); break
        except Exception as e: print(f'ray.init, attempt {attempt + 1}: {str(e)[:120]}'); ray.shutdown()
    started = time.perf_counter() - start
    for phase in ('cold', 'warm'):
        rows.append(dict(run=f'ray, {phase}', workers=k, ray_start_s=started if phase == 'cold' else None,
                         **sitting(run_jobs_ray, f'ray{k}{phase}')))
    ray.shutdown()
rows.append(dict(run='plain grower, again', workers=1, **sitting(run_jobs, 'plain_again')))
table = pd.DataFrame(rows)
table.loc[table.workers > 1, 'other_s_per_exp'] = None   # experiments overlap: wall less training means nothing
warm = table[table.run == 'ray, warm'].set_index('workers')
print(f'## {len(jobs)} experiments ({args.protocol} protocol, {args.dataset}), {os.cpu_count()} cores\n')
print(table.round(2).to_string(index=False))
if {1, 2} <= set(warm.index):
    print(f'\nwarm throughput, 2 workers / 1 worker: {warm.per_minute[2] / warm.per_minute[1]:.2f}x')
if 1 in warm.index:
    plain_other = table[table.run.str.startswith('plain')].other_s_per_exp.mean()
    print(f'overhead per Ray task against the plain grower: {warm.other_s_per_exp[1] - plain_other:.3f} s '
          f'(besides training, per experiment: plain {plain_other:.3f} s, Ray warm {warm.other_s_per_exp[1]:.3f} s)')
