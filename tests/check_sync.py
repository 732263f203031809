"""Fail when a notebook is not clean, `tapas_nb/` is out of sync with `nbs/`, or a notebook's outputs are older than its code.

Works on a copy of the tree, so the working tree is never modified."""
import hashlib, json, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parents[1]
bindir = Path(sys.executable).parent

def digest(top):
    return {p.relative_to(top).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for d in ('nbs', 'tapas_nb') for p in sorted((top/d).rglob('*'))
            if p.is_file() and '__pycache__' not in p.parts and '.ipynb_checkpoints' not in p.parts}

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    for name in ('settings.ini', 'setup.py'): shutil.copy(root/name, tmp/name)
    for d in ('nbs', 'tapas_nb'):
        shutil.copytree(root/d, tmp/d, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    before = digest(tmp)
    for cmd in ('nbdev_clean', 'nbdev_export'):
        subprocess.run([str(bindir/cmd)], cwd=tmp, check=True)
    after = digest(tmp)
changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
if changed:
    print('Out of sync: `nbdev_clean` / `nbdev_export` would change:', *changed, sep='\n  ')
    print('Run `nbdev_clean && nbdev_export` and commit the result.')
else: print(f'sync check: {len(after)} files clean and in sync')

# outputs never older than the code: a notebook executed by `tools/execute_nbs.py` records the hash of its code cells;
# code changed since then means its outputs show something else. A notebook with outputs but no hash was not executed
# by the tool yet: noted, not failed (until every notebook has been executed once; then make it a failure).
sys.path.insert(0, str(root/'tools'))
from execute_nbs import stale_notebooks
stale, unhashed = stale_notebooks(root/'nbs')
if unhashed: print('note: outputs not made by tools/execute_nbs.py (no code hash):', *unhashed, sep='\n  ')
if stale:
    print('Stale outputs: the code of these notebooks changed after their outputs were made:',
          *(f'{nb}  (run `make outputs NB={nb}`)' for nb in stale), sep='\n  ')
else: print('outputs check: no notebook has outputs older than its code')
if changed or stale: sys.exit(1)
