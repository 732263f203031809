"""Training cost and seed noise of the CPU protocol.

    python perf/bench_train.py [--db URL] [--n 12]

Times `--n` fresh experiments of sampled CPU-space networks on Fashion-MNIST under `cpu-v1` (one torch thread),
and, from the database (default: the embedded one with the shipped seed experiments), the recorded wall time of
every experiment and the seed-to-seed agreement of the networks trained twice."""
import argparse, time
import numpy as np, pandas as pd, torch
from tapas_nb.arch import sample_archs
from tapas_nb.lde import LDE
from tapas_nb.train import prepare_data, train_arch
from tapas_nb.evaluate import seed_ceiling

p = argparse.ArgumentParser()
p.add_argument('--db', default=None); p.add_argument('--n', type=int, default=12)
args = p.parse_args()
torch.set_num_threads(1)
data = prepare_data('fashion')
secs = [train_arch(a, data, seed=0)['seconds'] for a in sample_archs(args.n, seed=2024)]
ex = LDE(args.db).experiments(protocol='cpu-v1')
rows = [dict(source=f'fresh runs, fashion, 1 thread', experiments=len(secs), median_s=np.median(secs), mean_s=np.mean(secs), p90_s=np.percentile(secs, 90))]
if len(ex): rows.append(dict(source='database (as recorded while growing)', experiments=len(ex), median_s=ex.seconds.median(),
                             mean_s=ex.seconds.mean(), p90_s=ex.seconds.quantile(0.9)))
print('## Wall time of one experiment under cpu-v1\n')
print(pd.DataFrame(rows).round(2).to_string(index=False))
ceiling = seed_ceiling(ex.merge(LDE(args.db).datasets()[['name']], left_on='dataset', right_on='name'))
print('\n## Seed noise: networks trained with seeds 0 and 1\n')
print(ceiling.round(3).to_string(index=False))
print(f"\nmean seed-to-seed Kendall tau {ceiling.ceiling_tau.mean():.3f}, mean |difference| {ceiling.seed_abs_diff.mean():.2f} points")
