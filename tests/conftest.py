import os, sys, subprocess
from pathlib import Path
import pytest

TAPAS = str(Path(sys.executable).parent/'tapas')

@pytest.fixture
def home(tmp_path, monkeypatch):
    "An empty TAPAS_HOME for this test (also inherited by subprocesses)."
    h = tmp_path/'home'
    monkeypatch.setenv('TAPAS_HOME', str(h))
    monkeypatch.delenv('TAPAS_DB', raising=False)
    return h

def tapas(*args, check=True, timeout=600):
    "Run the `tapas` console script; return the CompletedProcess."
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([TAPAS, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)
    if check and r.returncode != 0: raise AssertionError(f'tapas {args} failed ({r.returncode}):\n{r.stderr}')
    return r
