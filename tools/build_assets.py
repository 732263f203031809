"""Rebuild the package's shipped data from a grown experiment database.

    python tools/build_assets.py --db sqlite:////path/to/lde.sqlite

writes tapas_nb/assets/lde_seed.jsonl.gz (every finished experiment, dataset and DCN) and
tapas_nb/assets/tap.{safetensors,json} (a TAP fitted on all of it, from the exported file), and the reference of its
predictions that tests/test_shipped_tap.py checks (tools/shipped_reference.py)."""
import argparse, tempfile, time
import torch
from tapas_nb.lde import LDE
from tapas_nb.tap import assets_dir, fit_shipped_tap
from shipped_reference import write_reference

p = argparse.ArgumentParser()
p.add_argument('--db', required=True)
p.add_argument('--threads', type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
seed_file = assets_dir()/'lde_seed.jsonl.gz'
lines = LDE(args.db, load_seed=False).export(seed_file)
print(f'wrote {seed_file} ({lines} lines)')
with tempfile.TemporaryDirectory() as tmp:
    lde = LDE(f'sqlite:///{tmp}/lde.sqlite', load_seed=False)
    lde.import_(seed_file)             # fit on exactly what ships
    start = time.perf_counter()
    tap = fit_shipped_tap(lde, progress=False)
    print(f"fitted the shipped TAP on {tap.fitted_on['pairs']} (architecture, dataset) pairs in {time.perf_counter() - start:.1f} s")
print(f'wrote {write_reference()}')
