"""nbdev's own notebook processing (`nbdev_proc_nbs`, the half of `nbdev_docs`/`nbdev_preview` that needs no Quarto)
works on the notebooks, so that a user who has Quarto can build nbdev's site.

`nbdev_proc_nbs` runs, in a notebook that exports, every exported cell and every cell that holds an import (nbdev's
`_do_eval`); a cell that imports *and* does something runs too, where the names it uses may be missing (a NameError)
or the work it does may take minutes (training). So cells it runs must hold imports only: checked statically with
nbdev's own rule, then `nbdev_proc_nbs` itself runs on a copy of the tree.

`nbdev_proc_nbs` first checks that Quarto is installed, and where it is not, installs it (with `sudo`) and runs
`pip install -e .[dev]` with whatever `pip` comes first on PATH; the test puts a `quarto` that does nothing first on
PATH, so nothing is installed."""
import ast, os, re, shutil, subprocess, sys, warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
BIN = Path(sys.executable).parent
NOTEBOOKS = sorted(p for p in NBS.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

# notebooks not yet made to work with nbdev_proc_nbs (issue 36), with what nbdev runs in them; remove a line once fixed
# keyed by the name without its number (as nbdev names pages), so that renumbering a notebook keeps its entry
PENDING = {  # what `nbdev_proc_nbs` did on each (7 Dec 2026)
}

def _rel(nb: Path) -> str: return nb.relative_to(NBS).as_posix()

def pending(nb: Path) -> str | None:
    "Why `nb` is not fixed yet, if it is listed (`12_nasbench.cells` is listed as `cells`)."
    name = re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem)
    return next((why for key, why in PENDING.items() if name == key or name.endswith('.' + key)), None)

def cells_nbdev_runs(nb: Path) -> list:
    "The cells `nbdev_proc_nbs` executes in `nb`, as nbdev decides (none in a notebook without exports)."
    from nbdev.process import NBProcessor
    from nbdev.processors import _do_eval, _want_doc
    cells = NBProcessor(nb).nb.cells
    if not any(_want_doc(c) for c in cells): return []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # nbdev warns about the very cells this test reports
        return [c for c in cells if _do_eval(c)]

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=map(_rel, NOTEBOOKS))
def test_nbdev_runs_only_imports_and_exports(nb):
    if pending(nb): pytest.skip(f'not fixed yet: {pending(nb)}')
    for cell in cells_nbdev_runs(nb):
        if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: continue
        if 'nbdev_export' in cell.source: continue  # nbdev skips `nbdev_export()` cells
        body = ast.parse(cell.source).body
        assert all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body), \
            f'{_rel(nb)}: nbdev_proc_nbs runs this cell, which does more than import; put its imports in a cell ' \
            f'of their own:\n{cell.source}'

def test_nbdev_proc_nbs_succeeds(tmp_path):
    "nbdev_proc_nbs on a copy of the tree (the fixed notebooks), with no warning about cells mixing imports and code."
    tree = tmp_path/'tree'
    tree.mkdir()
    for name in ('settings.ini', 'setup.py'): shutil.copy(ROOT/name, tree/name)
    shutil.copytree(ROOT/'tapas_nb', tree/'tapas_nb', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(NBS, tree/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    for nb in NOTEBOOKS:
        if pending(nb): (tree/'nbs'/_rel(nb)).unlink()
    stub = tmp_path/'bin'
    stub.mkdir()
    (stub/'quarto').write_text('#!/bin/sh\necho "quarto stub: not run" >&2\nexit 1\n')
    (stub/'quarto').chmod(0o755)
    env = {**os.environ, 'PATH': f'{stub}{os.pathsep}{BIN}{os.pathsep}{os.environ["PATH"]}',
           'PYTHONPATH': str(tree), 'TAPAS_HOME': str(tmp_path/'home'), 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([str(BIN/'nbdev_proc_nbs'), '--n_workers', '0', '--force'], cwd=tree, env=env,
                       capture_output=True, text=True, timeout=1200)
    out = r.stdout + r.stderr
    assert r.returncode == 0, f'nbdev_proc_nbs failed:\n{out[-5000:]}'
    assert 'Found cells containing imports and other code' not in out, out[-5000:]
    kept = [p for p in NOTEBOOKS if not pending(p)]
    for nb in kept: assert (tree/'_proc'/'nbs'/_rel(nb)).exists() or (tree/'_proc'/_rel(nb)).exists(), \
        f'nbdev_proc_nbs wrote nothing for {_rel(nb)}'
