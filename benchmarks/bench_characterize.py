"""Dataset characterization: repeatability over 3 seeds, and the cost on a 10,000-image dataset.

    python benchmarks/bench_characterize.py     (about 3 minutes on 2 idle cores)"""
import time, os
import numpy as np, pandas as pd, torch
torch.set_num_threads(int(os.environ.get('THREADS', '2')))
from tapas_nb.characterize import characterize, PROBE_VERSION
from tapas_nb.data import load_dataset

rows = []
for name in ['digits', 'mnist5k', 'fashion']:
    runs = [characterize(name, seed=s, progress=False) for s in range(3)]
    dcns = [r['dcn'] for r in runs]
    rows.append(dict(dataset=name, seeds=3, dcn_mean=np.mean(dcns), dcn_std=np.std(dcns), seconds_per_run=np.mean([r['seconds'] for r in runs])))
print(f'## Repeatability ({PROBE_VERSION}, torch threads {torch.get_num_threads()})\n')
print(pd.DataFrame(rows).round(4).to_string(index=False))

data = load_dataset('fashion[n=10000]')
start = time.perf_counter()
r = characterize(data, progress=False)
total = time.perf_counter() - start
print('\n## Cost on a 10,000-image dataset\n')
print(pd.DataFrame([dict(dataset=data.name, images=data.num_samples, dcn=round(r['dcn'], 4), seconds=round(total, 1))]).to_string(index=False))
