"""Export the rows of some datasets of a database into an exchange file (the format of `tapas lde export`).

    python tools/export_datasets.py --db sqlite:////path/lde.sqlite --out data/new.jsonl.gz DATASET [DATASET ...]

Used to ship a sitting grown on a separate database into `data/` without the rows that are already shipped."""
import argparse, gzip, json, os, tempfile
from pathlib import Path
from tapas_nb.data import canonical_name
from tapas_nb.lde import LDE

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--db', required=True); p.add_argument('--out', required=True, type=Path)
p.add_argument('datasets', nargs='+')
args = p.parse_args()
names = {canonical_name(d) for d in args.datasets}
whole = Path(tempfile.mkdtemp())/'all.jsonl.gz'
LDE(args.db, load_seed=False).export(whole)
kept, counts = [], {}
with gzip.open(whole, 'rt', encoding='utf-8') as f:
    for line in f:
        r = json.loads(line)
        if (r.get('name') if r['kind'] == 'dataset' else r.get('dataset')) in names:
            kept.append(line); counts[r['kind']] = counts.get(r['kind'], 0) + 1
missing = names - {json.loads(l)['name'] for l in kept if json.loads(l)['kind'] == 'dataset'}
if missing: raise SystemExit(f'not in the database: {sorted(missing)}')
tmp = args.out.with_name(args.out.name + '.partial')
with gzip.open(tmp, 'wt', encoding='utf-8') as f: f.writelines(kept)
os.replace(tmp, args.out)
print(json.dumps(dict(out=str(args.out), **counts)))
