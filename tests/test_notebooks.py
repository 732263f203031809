"""Run every notebook in `nbs/` as a test.

Cells flagged `#| slow` are skipped unless `TAPAS_NB_FLAGS=slow` is set."""
import os
from pathlib import Path
import pytest
from nbdev.test import test_nb as run_nb

NBS_DIR = Path(__file__).resolve().parents[1]/'nbs'
NBS = sorted(p for p in NBS_DIR.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

@pytest.mark.parametrize('nb', NBS, ids=[p.relative_to(NBS_DIR).as_posix() for p in NBS])
def test_notebook(nb, tmp_path, monkeypatch):
    # each notebook gets its own empty TAPAS_HOME, so no run depends on what an earlier one left behind
    monkeypatch.setenv('TAPAS_HOME', str(tmp_path/'home'))
    # the notebooks share this process: each starts with torch as a fresh kernel has it (07a turns gradients off)
    import torch
    torch.set_grad_enabled(True)
    force = os.environ.get('TAPAS_NB_FLAGS', '').split()
    ok, _ = run_nb(nb, skip_flags=['notest', 'slow'], force_flags=force, basepath=str(NBS_DIR.parent))
    assert ok, f'notebook {nb.name} failed (run `nbdev_test --path {nb}` to see the error)'
