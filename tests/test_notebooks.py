"""Run every notebook in `nbs/` as a test.

Each notebook runs in a process of its own, as it does in a kernel of its own in JupyterLab and under
`tools/execute_nbs.py`: what one notebook leaves in a process (a registered native step, a started Ray, torch's
settings) cannot change how the next one runs. Cells flagged `#| slow` are skipped unless `TAPAS_NB_FLAGS=slow` is set."""
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS_DIR = ROOT/'nbs'
NBS = sorted(p for p in NBS_DIR.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))

RUN_ONE = '''import sys
from pathlib import Path
from nbdev.test import test_nb
ok, _ = test_nb(Path(sys.argv[1]), skip_flags=['notest', 'slow'], force_flags=sys.argv[2].split(), basepath=sys.argv[3])
sys.exit(0 if ok else 1)'''

@pytest.mark.parametrize('nb', NBS, ids=[p.relative_to(NBS_DIR).as_posix() for p in NBS])
def test_notebook(nb, tmp_path):
    # each notebook gets its own empty TAPAS_HOME, so no run depends on what an earlier one left behind
    env = {**os.environ, 'TAPAS_HOME': str(tmp_path/'home'),
           'PYTHONPATH': os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])}
    force = os.environ.get('TAPAS_NB_FLAGS', '')
    r = subprocess.run([sys.executable, '-c', RUN_ONE, str(nb), force, str(ROOT)], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0, f'notebook {nb.name} failed:\n{(r.stdout + r.stderr)[-6000:]}'
