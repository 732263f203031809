"""The `tapas` command end to end, in real subprocesses."""
import gzip, json, os, signal, sqlite3, subprocess, sys, time
import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from conftest import TAPAS, tapas

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
    (['search', '--dataset', 'digits', '--max-weights', '-5'], '--max-weights must be a positive number, got -5'),
    (['search', '--dataset', 'digits', '--max-weights', '20k'], "argument --max-weights: invalid number value: '20k'"),
    (['search', '--dataset', 'digits', '--cost', 'params'], "argument --cost: invalid choice: 'params'"),
    (['search', '--dataset', 'digits', '--patience', '0'], '--patience must be at least 1'),
    (['search', '--dataset', 'digits', '--space', 'nb201', '--max-flops', '5'], 'apply to chain networks, not to the nb201'),
    (['search', '--dataset', 'setup.py'], 'neither a folder of class sub-folders nor an .npz file'),
    # the nb201 space: the command imports tapas_nb.nasbench.benchmarks, which registers its search with search_dataset
    (['search', '--dataset', 'digits', '--space', 'nb201', '--top', '2', '--verify', '3'], '--verify must lie between'),
    # paths that cannot be written, databases that cannot be opened, flags that do not parse
    (['predict', '--dataset', 'digits', '--arch', 'C8k3 G L', '--anchors', '0', '--db', 'sqlite:////proc/nope/x.db'],
     '--db sqlite:////proc/nope/x.db: /proc/nope: No such file or directory'),
    (['search', '--dataset', 'digits', '--n', '30', '--anchors', '0', '--out', '/proc/nope/out'], '--out /proc/nope/out: /proc/nope'),
    (['lde', 'export', '/proc/nope/x.jsonl.gz'], 'PATH /proc/nope/x.jsonl.gz: /proc/nope/x.jsonl.gz.partial: No such file'),
    (['lde', 'stats', '--db', 'postgresql://tapas@127.0.0.1:1/x'], '--db postgresql+psycopg://tapas@127.0.0.1:1/x cannot be reached'),
    (['lde', 'stats', '--db', 'mysql://me@host/x'], 'not in mysql'),
    (['search'], 'tapas search: the following arguments are required: --dataset'),
    (['sample', '--n', 'ten'], "argument --n: invalid int value: 'ten'"),
    (['lde'], 'the following arguments are required: ACTION'),
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

def one_line_error(r, returncode: int = 2) -> str:
    "The one line a failed `tapas` run printed, after checking that it is one line and the exit code."
    assert r.returncode == returncode, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), r.stderr
    return lines[0]

def test_files_of_the_wrong_kind_are_one_line_naming_the_flag(home, tmp_path):
    text = tmp_path/'images.npz'; text.write_text('x,y\n1,2\n')
    line = one_line_error(tapas('predict', '--dataset', text, '--arch', 'C8k3 G L', '--anchors', '0', check=False))
    assert line == f'error: --dataset {text} is not an .npz file of arrays x and y (numpy cannot read it)', line
    a_file = tmp_path/'a_file'; a_file.write_text('not a folder')
    line = one_line_error(tapas('lde', 'stats', '--db', f'sqlite:///{a_file}/lde.sqlite', check=False))
    assert line == f'error: --db sqlite:///{a_file}/lde.sqlite: {a_file} is a file, not a folder', line
    assert a_file.read_text() == 'not a folder'
    line = one_line_error(tapas('lde', 'import', text, '--db', f'sqlite:///{tmp_path}/db.sqlite', check=False))
    assert line.startswith(f'error: PATH {text}: line 1: not valid JSON'), line
    folder = tmp_path/'archs'; folder.mkdir()
    assert '--arch-file' in one_line_error(tapas('predict', '--dataset', 'digits', '--arch-file', folder, check=False))

def tapas_without(module: str, *args):
    "Run `tapas args` in a Python where `module` cannot be imported, as where its extra is not installed."
    code = f'import sys; sys.modules[{module!r}] = None\nfrom tapas_nb.cli import main\nsys.exit(main(sys.argv[1:]))'
    return subprocess.run([sys.executable, '-c', code, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, 'OMP_NUM_THREADS': '1'})

@pytest.mark.parametrize('module, args, extra', [
    ('psycopg', ['lde', 'stats', '--db', 'postgresql://tapas@127.0.0.1:1/x'], 'postgres'),
    ('ray', ['lde', 'grow', '--datasets', 'digits', '--archs', '1', '--protocol', 'smoke', '--no-characterize', '--ray'], 'ray'),
    ('elpv_dataset', ['characterize', 'solar', '--anchors', '0', '--no-cache'], 'datasets'),
    ('skimage', ['characterize', 'textures', '--anchors', '0', '--no-cache'], 'datasets'),
])
def test_a_missing_extra_is_named_in_one_line(home, tmp_path, module, args, extra):
    if '--ray' in args: args = [*args, '--db', f'sqlite:///{tmp_path}/lde.sqlite']
    line = one_line_error(tapas_without(module, *args))
    assert line.endswith(f"pip install 'tapas_nb[{extra}]'"), line

def test_ctrl_c_is_one_line_exit_130_and_loses_nothing(home, tmp_path):
    "Ctrl-C in the middle of `tapas lde grow`: exit 130, one line; the finished experiments stay, a re-run does the rest."
    db = tmp_path/'lde.sqlite'
    n = 30
    args = ['lde', 'grow', '--datasets', 'digits', '--archs', str(n), '--protocol', 'smoke', '--no-characterize',
            '--db', f'sqlite:///{db}', '--json']
    # a suite started in the background (`pytest &`) ignores SIGINT, and a Python started so never sees Ctrl-C
    proc = subprocess.Popen([TAPAS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, 'OMP_NUM_THREADS': '1'},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    finished, deadline = [], time.time() + 300
    while len(finished) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
        if db.exists():
            with sqlite3.connect(db, timeout=30) as c:
                try: finished = c.execute("select id, val_acc from experiments where status != 'running'").fetchall()
                except sqlite3.OperationalError: pass   # the tables are being made
    assert proc.poll() is None, 'the run ended before it could be interrupted'
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines() == ['error: interrupted (Ctrl-C); what had finished is kept'], err
    with sqlite3.connect(db) as c: kept = c.execute("select id, val_acc from experiments where status != 'running'").fetchall()
    assert 2 <= len(kept) < n and set(finished) <= set(kept), (finished, kept)
    counts = json.loads(tapas(*args).stdout)
    assert counts['trained'] + counts['skipped'] == n and counts['trained'] == n - len(kept), (counts, len(kept))
    with sqlite3.connect(db) as c:
        assert c.execute("select count(*) from experiments where status != 'running'").fetchone() == (n,)
        assert set(kept) <= set(c.execute('select id, val_acc from experiments').fetchall())

def test_every_flag_has_help_and_its_default_and_every_command_an_example():
    import argparse, shlex
    from tapas_nb.cli import build_parser
    def commands(parser, name='tapas'):
        yield name, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, p in action.choices.items(): yield from commands(p, f'{name} {sub}')
    seen = 0
    for name, p in commands(build_parser()):
        if name == 'tapas': assert 'examples:' in p.epilog; continue
        assert p.description, name
        example = p.epilog.split('example:', 1)[1].strip()
        assert example.startswith(name), (name, example)
        build_parser().parse_args(shlex.split(example)[1:])   # the example parses
        given = {a for g in p._mutually_exclusive_groups if g.required for a in g._group_actions}   # one must be given
        for a in p._actions:
            if isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)): continue
            assert a.help, (name, a.dest)
            if a.default is None and a.option_strings and not a.required and a not in given:
                assert 'default' in a.help, (name, a.dest, a.help)   # what happens without it, in words
            seen += 1
    assert seen > 60, seen
    shown = ' '.join(tapas('search', '--help').stdout.split())
    for text in ('time for the search (default: 60)', 'how many of the best to print and save, all different networks (default: 10)',
                 'random seed of the search (default: 0)', '(default: evolution)', 'example: tapas search'):
        assert text in shown, (text, shown)

def test_the_package_face_and_a_quick_help():
    code = ('import sys, tapas_nb as t; assert "torch" not in sys.modules; t.search_dataset, t.characterize, t.LDE\n'
            'import tapas_nb.characterize, tapas_nb.grow\n'
            'from tapas_nb import characterize, grow, predict_accuracy, search_dataset, LDE, TAP\n'
            'assert callable(characterize) and callable(grow) and t.characterize is characterize, characterize')
    subprocess.run([sys.executable, '-c', code], check=True, timeout=300)
    assert 'examples:' in tapas('--help').stdout
    # `tapas --help` stays quick: building the parser imports none of the heavy libraries
    code = ('import sys; from tapas_nb.cli import build_parser; build_parser()\n'
            'print(*[m for m in ("torch", "sqlalchemy", "pandas", "numpy") if m in sys.modules])')
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split() == []

def test_search_within_a_weight_budget_returns_distinct_picks_and_a_front(home, tmp_path):
    from tapas_nb.search import token_distance, main_path
    r = tapas('search', '--dataset', 'digits', '--budget', '10', '--top', '5', '--max-weights', '20000', '--anchors', '0',
              '--json', '--out', tmp_path/'out')
    out = json.loads(r.stdout)
    picks, front = out['top'], out['front']
    assert len(picks) == 5 and all(p['weights'] <= 20_000 for p in picks), picks
    specs = [p['spec'] for p in picks]
    assert all(token_distance(a, b) >= 2 for i, a in enumerate(specs) for b in specs[i + 1:]), specs
    assert len({main_path(s) for s in specs}) == 5, specs
    assert front and all(f['weights'] <= 20_000 for f in front)
    assert [f['weights'] for f in front] == sorted(f['weights'] for f in front)
    assert all(f['interval_low'] <= f['predicted_accuracy'] <= f['interval_high'] for f in front)
    assert out['limits'] == {'max_weights': 20000} and out['stopped'] in ('time', 'converged')
    assert (tmp_path/'out'/'front.csv').is_file() and (tmp_path/'out'/'search.png').is_file()

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
