"""The native level step (`07e_native`): on where a C compiler is, off (with the torch path giving the same estimates)
where it is switched off or cannot be built, safe when several processes build it at once, rebuilt when damaged."""
import os, shutil, subprocess, sys, textwrap
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_cc = pytest.mark.skipif(shutil.which('cc') is None, reason='no C compiler here')

# each child predicts the same 300 networks and prints whether the native step was on, then the estimates
CHILD = textwrap.dedent('''
    import sys, warnings, numpy as np, torch
    warnings.simplefilter('always')
    from tapas_nb.native import native_lib
    from tapas_nb.tap import shipped_tap
    from tapas_nb.arch import sample_archs
    torch.set_num_threads(1)
    est = shipped_tap().predict(sample_archs(300, seed=4), 0.8, 10)
    print(native_lib() is not None); print(' '.join(f'{x:.9f}' for x in est))
''')

def child(home, **env):
    "Run CHILD in a fresh process with `TAPAS_HOME=home` and `env`: (native on, estimates, stderr)."
    done = subprocess.run([sys.executable, '-c', CHILD], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, 'TAPAS_HOME': str(home), **env}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    on, est = done.stdout.strip().split('\n')[-2:]
    return on == 'True', [float(x) for x in est.split()], done.stderr

@needs_cc
def test_on_where_a_compiler_is(tmp_path):
    on, est, err = child(tmp_path)
    assert on, f'the native step is off although cc exists: {err[-2000:]}'
    assert len(list((tmp_path / 'native').glob('*.so'))) == 1

@needs_cc
def test_switched_off_or_unbuildable_gives_the_same_estimates(tmp_path):
    _, native, _ = child(tmp_path)
    on, off, err = child(tmp_path, TAPAS_NATIVE='0')
    assert not on and 'native level step is off' not in err   # switched off on purpose: no warning
    on, nocc, err = child(tmp_path / 'other', CC='/nonexistent/cc')
    assert not on and 'no C compiler' in err
    for got in (off, nocc): assert max(abs(a - b) for a, b in zip(native, got)) <= 1e-6

@needs_cc
def test_processes_building_at_once(tmp_path):
    env = {**os.environ, 'TAPAS_HOME': str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, '-c', CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env=env) for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-2000:] for _, e in outs]
    lines = [o.strip().split('\n')[-2:] for o, _ in outs]
    assert {on for on, _ in lines} == {'True'} and len({est for _, est in lines}) == 1
    assert [p.name for p in (tmp_path / 'native').iterdir()] == [next((tmp_path / 'native').glob('*.so')).name]

@needs_cc
def test_a_damaged_library_is_rebuilt(tmp_path):
    _, want, _ = child(tmp_path)
    lib = next((tmp_path / 'native').glob('*.so'))
    lib.write_bytes(b'not a library')
    on, got, _ = child(tmp_path)
    assert on and got == want and lib.stat().st_size > 1000

def test_native_required_but_off_says_so(tmp_path):
    code = textwrap.dedent('''
        import torch
        import tapas_nb.native
        from tapas_nb.tap import shipped_tap
        from tapas_nb.prefix_tree import build_tree
        from tapas_nb.arch import sample_archs
        net = shipped_tap().net
        try: net.tree_estimates(build_tree(sample_archs(3, seed=0), net.cfg.input_shape, 10), 0.8, native=True)
        except RuntimeError as e: print(e)
    ''')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, 'TAPAS_HOME': str(tmp_path), 'TAPAS_NATIVE': '0'})
    assert 'the native level step is not available here' in done.stdout, done.stderr[-2000:]

# a library that loads but computes otherwise than torch (its sigmoid of the wrong slope), built where the real one
# is kept, as a miscompile or a foreign sgemm_ would leave it
WRONG = textwrap.dedent('''
    import shutil
    from tapas_nb.native import SOURCE, build, cc_flags, library_path
    cc = shutil.which('cc')
    wrong = SOURCE.replace('return 1.0f / (1.0f + fexp(-x));', 'return 1.0f / (1.0f + fexp(-1.1f * x));')
    assert wrong != SOURCE
    build(wrong, library_path(SOURCE, cc_flags(), cc), cc, cc_flags())
''')

@needs_cc
def test_a_library_that_computes_otherwise_is_switched_off(tmp_path):
    _, torch_ops, _ = child(tmp_path / 'torch', TAPAS_NATIVE='0')
    subprocess.run([sys.executable, '-c', WRONG], check=True, cwd=ROOT, timeout=300,
                   env={**os.environ, 'TAPAS_HOME': str(tmp_path)})
    on, got, err = child(tmp_path)
    assert not on and err.count("UserWarning: tapas_nb: the native level step is off: its estimates differ from torch's") == 1, err[-2000:]
    assert max(abs(a - b) for a, b in zip(torch_ops, got)) <= 1e-6
