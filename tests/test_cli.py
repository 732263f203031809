"""The `tapas` command end to end, in real subprocesses."""
import gzip, json, sqlite3
import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from conftest import tapas

def test_datasets_json_lists_base_datasets_that_load(home):
    from tapas_nb.data import load_dataset
    listed = json.loads(tapas('datasets', '--json').stdout)
    names = {d['name'] for d in listed}
    assert {'digits', 'mnist5k', 'fashion'} <= names
    for name in ('digits', 'mnist5k', 'fashion'):
        d = load_dataset(name)
        row = next(r for r in listed if r['name'] == name)
        assert d.num_classes == row['classes'] and d.num_samples == row['samples']

@pytest.mark.parametrize('args, message', [
    (['characterize', 'cifar-99'], 'cifar-99'),
    (['characterize', 'fashion[classes=0,2'], 'fashion[classes=0,2'),
    (['characterize', 'digits[colour=3]'], 'colour'),
    (['sample', '--n', '0'], '--n must be at least 1'),
    (['describe', 'C16k3 Q5 L'], 'Q5'),
    (['train', '--dataset', 'digits', '--arch', 'M2s2 M2s2 M2s2 M2s2 M2s2 L'], '1x1'),
    (['predict', '--dataset', 'digits', '--arch', 'C8k3 G L', 'M2s2 M2s2 M2s2 M2s2 M2s2 L'], "architecture 2 ('M2s2 M2s2 M2s2 M2s2 M2s2 L') does not fit digits"),
    (['predict', '--dataset', 'digits', '--arch-file', 'no/such/file.txt'], 'no such file'),
    (['search', '--dataset', 'digits', '--budget', '0'], 'budget must be a positive'),
    (['search', '--dataset', 'digits', '--top', '0'], '--top must be at least 1'),
    (['search', '--dataset', 'digits', '--workers', '0'], '--workers must be at least 1'),
    (['search', '--dataset', 'setup.py'], 'neither a folder of class sub-folders nor an .npz file'),
])
def test_bad_input_is_one_line_and_nonzero_exit(home, args, message):
    r = tapas(*args, check=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: ') and message in lines[0], r.stderr

def test_evaluate_on_an_empty_database_says_so(home, tmp_path):
    r = tapas('evaluate', '--db', f'sqlite:///{tmp_path}/empty.sqlite', '--out', tmp_path/'out', check=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.strip() == 'error: the database has 0 characterized datasets; the evaluation needs at least 3', r.stderr

def test_sample_500_distinct_valid_roundtrip_build_and_count(home):
    from tapas_nb.arch import parse_arch, format_arch, build_model, validate_arch
    from tapas_nb.encoding import layer_stats
    specs = tapas('sample', '--n', 500, '--seed', 3).stdout.split('\n')[:-1]
    assert len(specs) == 500 and len(set(specs)) == 500
    torch.manual_seed(0)
    for spec in specs:
        arch = parse_arch(spec)
        assert format_arch(arch) == spec
        validate_arch(arch, (1, 16, 16), 10)
        stats = layer_stats(arch, (1, 16, 16), 10)
        model = build_model(arch, (1, 16, 16), 10).eval()
        assert sum(s.weights for s in stats) == sum(p.numel() for p in model.parameters()), spec
        with FlopCounterMode(display=False) as fc, torch.no_grad(): model(torch.zeros(1, 1, 16, 16))
        analytic = sum(s.flops for s in stats)
        assert abs(analytic - fc.get_total_flops()) <= 0.01 * fc.get_total_flops(), (spec, analytic, fc.get_total_flops())

def test_describe_json(home):
    rows = json.loads(tapas('describe', 'C16k3b M2s2 C32k3b G L', '--json').stdout)
    assert len(rows) == 5 and rows[0]['token'] == 'C16k3b'

def test_characterize_base_and_user_npz(home, tmp_path):
    # a variant the shipped database has not characterized (its base datasets come with their DCNs)
    first = json.loads(tapas('characterize', 'digits[n=900]', '--json').stdout)
    assert 0.5 < first['dcn'] <= 1 and not first['cached']
    again = json.loads(tapas('characterize', 'digits[n=900]', '--json').stdout)
    assert again['cached'] and again['dcn'] == first['dcn']
    # a user's own data: two classes of 12x12 images, bright squares against dark ones, with noise
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 150)
    x = rng.normal(0.3, 0.2, (300, 12, 12)); x[y == 1, 3:9, 3:9] += 0.5
    np.savez(tmp_path/'squares.npz', x=(np.clip(x, 0, 1) * 255).astype(np.uint8), y=y)
    user = json.loads(tapas('characterize', tmp_path/'squares.npz', '--json').stdout)
    assert user['dcn'] > 0.5, user

def test_train_stores_a_real_experiment(home, tmp_path):
    db = tmp_path/'lde.sqlite'
    r = json.loads(tapas('train', '--dataset', 'digits', '--arch', 'C8k3 M2s2 F32 L', '--protocol', 'smoke', '--db', f'sqlite:///{db}', '--json').stdout)
    assert r['status'] == 'ok' and r['val_acc'] > 0.1
    with sqlite3.connect(db) as c: assert c.execute('select val_acc from experiments').fetchall() == [(r['val_acc'],)]

def test_export_import_and_stats(home, tmp_path):
    a, b = f'sqlite:///{tmp_path}/a.sqlite', f'sqlite:///{tmp_path}/b.sqlite'
    tapas('lde', 'grow', '--datasets', 'digits', '--archs', 3, '--protocol', 'smoke', '--no-characterize', '--db', a, '--json')
    tapas('lde', 'export', tmp_path/'x.jsonl.gz', '--db', a)
    tapas('lde', 'import', tmp_path/'x.jsonl.gz', '--db', b)
    sa, sb = (json.loads(tapas('lde', 'stats', '--json', '--db', u).stdout) for u in (a, b))
    assert sa['experiments'] == sb['experiments'] >= 3
    with gzip.open(tmp_path/'bad.jsonl.gz', 'wt') as f: f.write('{"kind": "experiment", "spec": "C8k3 L"}\n')
    r = tapas('lde', 'import', tmp_path/'bad.jsonl.gz', '--db', b, check=False)
    assert r.returncode == 2 and 'line 1' in r.stderr

def test_corrupt_database_is_refused_and_kept(home, tmp_path):
    bad = tmp_path/'lde.sqlite'
    bad.write_bytes(b'not a database at all' * 10)
    r = tapas('lde', 'stats', '--db', f'sqlite:///{bad}', check=False)
    assert r.returncode == 2 and 'not an SQLite database' in r.stderr
    assert bad.read_bytes() == b'not a database at all' * 10

def test_predict_with_the_shipped_tap_on_a_fresh_home(home, tmp_path):
    f = tmp_path/'archs.txt'
    f.write_text('C32k3b M2s2 C64k3b M2s2 F64 L\n# a comment line\nC8k3 G L\n')
    r = json.loads(tapas('predict', '--dataset', 'digits', '--arch-file', f, '--json').stdout)
    assert r['dataset'] == 'digits' and 0 < r['dcn'] <= 1
    assert [p['arch'] for p in r['predictions']] == ['C32k3b M2s2 C64k3b M2s2 F64 L', 'C8k3 G L']
    assert all(0 < p['predicted_accuracy'] < 1 for p in r['predictions'])

def test_search_end_to_end_with_verification(home, tmp_path):
    before = json.loads(tapas('lde', 'stats', '--json').stdout)['experiments']   # the shipped seed database
    r = json.loads(tapas('search', '--dataset', 'digits', '--budget', 5, '--top', 3, '--verify', 1, '--out', tmp_path/'out', '--json').stdout)
    assert r['dataset'] == 'digits' and r['tap'] == 'shipped' and r['candidates_evaluated'] > 1000
    assert len(r['top']) == 3 and (tmp_path/'out'/'search.png').stat().st_size > 1000
    (trained,) = r['verified']
    assert trained['spec'] == r['top'][0]['spec'] and 0.1 < trained['val_acc'] <= 1
    after = json.loads(tapas('lde', 'stats', '--json').stdout)['experiments']
    assert after == before + 1, (before, after)   # the verified network joined the database: the lifelong part

SMALL_DATASETS = {'digits', 'digits[res=4]', 'mnist5k[n=1000]'}

def small_database(tmp_path) -> str:
    "A database of three datasets of the shipped seed, imported through the CLI; returns its URL."
    from tapas_nb.lde import seed_database_path
    small = tmp_path/'small.jsonl.gz'
    with gzip.open(seed_database_path(), 'rt') as src, gzip.open(small, 'wt') as dst:
        for line in src:
            row = json.loads(line)
            if row.get('name', row.get('dataset')) in SMALL_DATASETS: dst.write(line)
    url = f'sqlite:///{tmp_path}/small.sqlite'
    imported = json.loads(tapas('lde', 'import', small, '--db', url, '--json').stdout)['imported']
    assert imported['experiment'] == 3 * 180, imported
    return url

def test_evaluate_json_on_a_small_database_writes_table_bounds_and_plots(home, tmp_path):
    "`tapas evaluate --json` end to end on three datasets of the shipped seed (one training epoch, so it is quick)."
    keep, url = SMALL_DATASETS, small_database(tmp_path)
    out = tmp_path/'evaluation'
    r = json.loads(tapas('evaluate', '--db', url, '--out', out, '--epochs', '1', '--ablation', '2', '--json', timeout=1200).stdout)
    summary = {(s['scenario'], s['predictor']): s for s in r['summary']}
    assert {('a', 'tap'), ('b', 'tap'), ('b', 'tap_lstm'), ('b', 'gbdt'), ('b', 'tap_no_dcn'), ('b', 'log_weights'), ('a', 'transfer')} <= set(summary), sorted(summary)
    assert all(-1 <= s['kendall_tau'] <= 1 for s in r['summary'])
    assert 0 < summary['b', 'tap']['ceiling_tau'] <= 1
    assert {d['feedback'] for d in r['feedback_ablation']} == {'predicted', 'none', 'teacher'}
    for name in ('summary.csv', 'results.csv', 'predictions.csv', 'transfer_bounds.csv', 'rank_agreement.png',
                 'predicted_vs_true_a.png', 'predicted_vs_true_b.png', 'ablation.csv'):
        assert (out/name).stat().st_size > 0, name
    bounds = (out/'transfer_bounds.csv').read_text().splitlines()
    assert len(bounds) == 1 + len(keep) and bounds[0].startswith('dataset,dcn,networks,nearest')
    folds = list((out/'folds').glob('*.json'))
    assert len(folds) == len(keep) + 2, folds   # every held-out dataset, and the two of the ablation, kept for a re-run
    assert len(list((out/'folds'/'proxies').glob('proxies-*.json'))) == 1   # the proxy scores the folds were scored with

def test_evaluate_killed_midway_resumes_from_its_finished_folds(home, tmp_path):
    "A `kill -9` in the middle of `tapas evaluate` loses only the fold in flight: the re-run reuses the others and ends as an uninterrupted run."
    import os, signal, subprocess, time
    import pandas as pd
    from conftest import TAPAS
    url = small_database(tmp_path)
    args = ['evaluate', '--db', url, '--epochs', '1', '--ablation', '0', '--workers', '1', '--json']
    whole = json.loads(tapas(*args, '--out', tmp_path/'whole', timeout=1200).stdout)
    out = tmp_path/'killed'
    proc = subprocess.Popen([TAPAS, *map(str, args), '--out', str(out)], env={**os.environ, 'OMP_NUM_THREADS': '1'},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not list((out/'folds').glob('*.json')) and proc.poll() is None and time.time() < deadline: time.sleep(0.1)
    proc.send_signal(signal.SIGKILL); proc.wait()
    kept = {f: f.stat().st_mtime_ns for f in (out/'folds').glob('*.json')}
    assert 1 <= len(kept) < len(SMALL_DATASETS) and not (out/'summary.csv').exists(), kept   # killed between the first fold and the last
    resumed = json.loads(tapas(*args, '--out', out, timeout=1200).stdout)
    assert all(f.stat().st_mtime_ns == t for f, t in kept.items()), 'a finished fold was computed again'
    assert len(list((out/'folds').glob('*.json'))) == len(SMALL_DATASETS) and not list((out/'folds').glob('*.tmp'))
    pd.testing.assert_frame_equal(pd.DataFrame(resumed['summary']), pd.DataFrame(whole['summary']))

def test_predict_reports_the_datasets_own_experiments(home):
    "Every experiment the database holds on the dataset moves the estimates, and the report says how many (issue 39)."
    from tapas_nb.lde import LDE
    r = json.loads(tapas('predict', '--dataset', 'digits', '--arch', 'C8k3 G L', '--anchors', '0', '--json').stdout)
    seed = LDE(f"sqlite:///{home.parent}/seed.sqlite", load_seed=True).experiments(dataset='digits')
    assert r['own_experiments'] == seed.spec.nunique() > 0
    (p,) = r['predictions']
    assert p['interval_low'] < p['predicted_accuracy'] < p['interval_high']

def test_evaluate_lifelong_names_an_unknown_dataset(home):
    r = tapas('evaluate', '--lifelong', 'nowhere', '--out', home/'out', check=False)
    assert r.returncode == 2 and "datasets ['nowhere'] have no characterized experiments" in r.stderr, r.stderr
