"""`perf/new_user.py` (the new user's intervals, issue 39) refuses what it cannot measure, in a real subprocess."""
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def run(*args, timeout=300):
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    return subprocess.run([sys.executable, str(ROOT/'perf'/'new_user.py'), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)

def test_new_user_refuses_a_dataset_the_database_holds(home, tmp_path):
    r = run('--datasets', 'digits', 'emoji[n=1000]', '--out', tmp_path/'nu')
    assert r.returncode == 2, r.stderr
    assert "the shipped database holds ['digits']" in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path/'nu'/'new_user.json').exists() and not list((tmp_path/'nu'/'new_user').iterdir())   # nothing trained

def test_new_user_names_a_bad_setting(tmp_path):
    r = run('--networks', 10, '--ks', 0, 9, '--out', tmp_path/'nu')
    assert r.returncode == 2 and '--ks must lie between 0 and --networks - 2 = 8' in r.stderr, r.stderr
    assert not (tmp_path/'nu').exists()   # refused before anything was made

def test_new_user_committed_results_hold_every_dataset_and_k():
    report = json.loads((ROOT/'results'/'new_user.json').read_text())
    rows = report['per_dataset']
    assert {r['dataset'] for r in rows} == set(report['datasets'])
    for r in rows:
        assert 0 <= r['coverage'] <= 1 and r['narrowest'] >= report['seed_spread'] - 1e-6, r   # never narrower than the seed spread
        assert r['own_experiments'] == report['anchors'] + r['k']
        assert 0 <= r['coverage_better_half'] <= 1 and 0 <= r['coverage_worse_half'] <= 1, r
        assert r['width_better_half'] < r['width_worse_half'], r   # TAP's higher estimates get the narrower intervals
