"""Notebooks committed executed, and never stale.

`tools/execute_nbs.py` runs a small notebook in a temporary tree (its outputs, a PNG figure, no progress bar, a fresh
TAPAS_HOME, `#| slow` cells not run, the code hash and kernelspec recorded and kept by `nbdev_clean`; a warning or an
error fails it, naming the cell). `tests/check_sync.py`, run on a copy of the project, passes on an executed notebook
as it is and fails, naming it, once a code cell is edited without re-running it."""
import json, os, shutil, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT/'tools'))
from execute_nbs import code_hash, recorded_hash

def _nb(*cells) -> dict:
    "A notebook of code cells (markdown for strings starting with '# ')."
    def cell(i, src):
        kind = 'markdown' if src.startswith('# ') else 'code'
        c = dict(cell_type=kind, id=f'c{i:07d}', metadata={}, source=src)
        return c if kind == 'markdown' else dict(c, execution_count=None, outputs=[])
    return dict(cells=[cell(i, s) for i, s in enumerate(cells)], metadata={}, nbformat=4, nbformat_minor=5)

DEMO = _nb('# A demo',
           'import os, warnings\nfrom pathlib import Path\nimport matplotlib.pyplot as plt\nfrom tqdm.auto import tqdm',
           '1 + 1',
           "home = Path(os.environ['TAPAS_HOME'])\nprint(home.name.startswith('tapas_home_'), list(home.glob('*')), Path.cwd().name)",
           'for i in tqdm(range(3), disable=False): pass\nprint("counted")',
           "fig, ax = plt.subplots(figsize=(2, 2)); ax.plot([0, 1], [1, 0]);",
           "#| slow\nPath('ran_slow').write_text('yes')\n'slow ran'")

def _tree(tmp: Path, nbs: dict) -> Path:
    "A project tree holding the executor, settings.ini and the given notebooks {name: notebook}."
    (tmp/'tools').mkdir(parents=True)
    shutil.copy(ROOT/'tools'/'execute_nbs.py', tmp/'tools')
    shutil.copy(ROOT/'settings.ini', tmp)
    (tmp/'nbs').mkdir()
    for name, nb in nbs.items(): (tmp/'nbs'/name).write_text(json.dumps(nb, indent=1))
    return tmp

def _execute(tree: Path, *names):
    return subprocess.run([sys.executable, str(tree/'tools'/'execute_nbs.py'), *(str(tree/'nbs'/n) for n in names)],
                          capture_output=True, text=True, timeout=600, cwd=tree)

@pytest.fixture(scope='module')
def executed(tmp_path_factory) -> Path:
    "The demo notebook, executed by the tool in a temporary tree."
    tree = _tree(tmp_path_factory.mktemp('exec'), {'demo.ipynb': DEMO})
    r = _execute(tree, 'demo.ipynb')
    assert r.returncode == 0, f'execute_nbs failed:\n{r.stdout}\n{r.stderr}'
    return tree/'nbs'/'demo.ipynb'

def _outputs(nb, i) -> list: return nb['cells'][i]['outputs']
def _text(out) -> str:
    t = out.get('text') or out.get('data', {}).get('text/plain', '')
    return ''.join(t) if isinstance(t, list) else t

def test_execute_stores_outputs_and_a_png_figure(executed):
    nb = json.loads(executed.read_text())
    test_value = [_text(o) for o in _outputs(nb, 2)]
    assert test_value == ['2'], test_value
    # a fresh, empty TAPAS_HOME of its own, and the notebook's folder as working directory
    assert [_text(o).strip() for o in _outputs(nb, 3)] == ['True [] nbs']
    # the progress bar (even one asked for with disable=False) is not in the outputs, the print is
    assert [(o['output_type'], o.get('name'), _text(o)) for o in _outputs(nb, 4)] == [('stream', 'stdout', 'counted\n')]
    pngs = [o['data']['image/png'] for o in _outputs(nb, 5) if 'image/png' in o.get('data', {})]
    assert len(pngs) == 1 and len(pngs[0]) > 1000, _outputs(nb, 5)

def test_slow_cells_are_not_run(executed):
    nb = json.loads(executed.read_text())
    assert _outputs(nb, 6) == []
    assert not (executed.parent/'ran_slow').exists()

def test_execute_records_hash_and_kernelspec_that_nbdev_clean_keeps(executed, tmp_path):
    nb = json.loads(executed.read_text())
    assert recorded_hash(nb) == code_hash(nb)
    assert nb['metadata']['kernelspec']['name'] == 'python3'
    # nbdev_clean (with the project's settings.ini) leaves an executed notebook as it is
    before = executed.read_text()
    subprocess.run([str(BIN/'nbdev_clean'), '--fname', str(executed)], cwd=executed.parents[1], check=True)
    assert executed.read_text() == before

def test_code_hash_follows_code_only():
    edited = json.loads(json.dumps(DEMO))
    edited['cells'][2]['source'] = '1 + 2'
    assert code_hash(edited) != code_hash(DEMO)
    prose = json.loads(json.dumps(DEMO))
    prose['cells'][0]['source'] = '# Another title'
    prose['cells'][2]['outputs'] = [dict(output_type='stream', name='stdout', text='x')]
    assert code_hash(prose) == code_hash(DEMO)

@pytest.mark.parametrize('code,message', [
    ("import warnings; warnings.warn('careful here')", 'careful here'),
    ("import sys; print('oops', file=sys.stderr)", 'output on stderr: oops'),
    ("print('DeprecationWarning: old')", 'a warning: DeprecationWarning: old'),
    ("raise ValueError('broken on purpose')", 'broken on purpose')])
def test_execute_fails_naming_notebook_and_cell(tmp_path, code, message):
    nb = _nb('# Bad', 'x = 1', code)
    tree = _tree(tmp_path, {'bad.ipynb': nb})
    before = (tree/'nbs'/'bad.ipynb').read_text()
    r = _execute(tree, 'bad.ipynb')
    assert r.returncode != 0
    assert 'nbs/bad.ipynb: cell 2 (id c0000002)' in r.stderr and message in r.stderr, r.stderr
    assert 'FAILED' in r.stdout and 'left unchanged: nbs/bad.ipynb' in r.stderr
    assert (tree/'nbs'/'bad.ipynb').read_text() == before

def _project_copy(tmp: Path) -> Path:
    "What tests/check_sync.py reads, copied, with nbdev_clean run once (so only what the test does can fail it)."
    for name in ('settings.ini', 'setup.py'): shutil.copy(ROOT/name, tmp/name)
    for d in ('nbs', 'tapas_nb', 'tools'):
        shutil.copytree(ROOT/d, tmp/d, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    (tmp/'tests').mkdir()
    shutil.copy(ROOT/'tests'/'check_sync.py', tmp/'tests')
    subprocess.run([str(BIN/'nbdev_clean')], cwd=tmp, check=True, capture_output=True)
    return tmp

def _check_sync(tree: Path):
    return subprocess.run([sys.executable, str(tree/'tests'/'check_sync.py')], capture_output=True, text=True,
                          timeout=600, cwd=tree)

def test_check_sync_fails_when_code_changed_after_outputs(executed, tmp_path):
    tree = _project_copy(tmp_path)
    shutil.copy(executed, tree/'nbs'/'zz_demo.ipynb')
    hashed = [p for p in sorted((tree/'nbs').rglob('*.ipynb')) if recorded_hash(json.loads(p.read_text()))]
    r = _check_sync(tree)
    assert r.returncode == 0, f'an untouched executed notebook must pass:\n{r.stdout}\n{r.stderr}'
    for path in hashed:   # the demo, and every notebook of the project executed by the tool
        nb = json.loads(path.read_text())
        cell = next(c for c in nb['cells'] if c['cell_type'] == 'code' and c['outputs'])
        cell['source'] = ''.join(cell['source']) + '\n# edited, not re-run'
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + '\n')
    subprocess.run([str(BIN/'nbdev_clean')], cwd=tree, check=True, capture_output=True)
    r = _check_sync(tree)
    assert r.returncode == 1, r.stdout
    for path in hashed:
        rel = path.relative_to(tree).as_posix()
        assert f'{rel}  (run `make outputs NB={rel}`)' in r.stdout, r.stdout
