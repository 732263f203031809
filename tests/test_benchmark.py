"""`tapas benchmark` end to end on a tiny setting, in a real subprocess."""
import gzip, json
import pandas as pd
from conftest import tapas

def test_benchmark_tb101_tiny_fold_scores_only_unseen_cells_and_resumes(home, tmp_path):
    out = tmp_path/'bench'
    args = ('benchmark', 'tb101', '--held-out', 'class_scene', '--scenarios', 'b', '--n', 20, 40, '--steps', 5,
            '--search-n', 60, '--out', out, '--json')
    printed = json.loads(tapas(*args, timeout=300).stdout)
    saved = json.loads((out/'benchmark_tb101.json').read_text())
    assert printed['benchmark'] == saved['benchmark'] == 'tb101' and printed['protocol'] == 'tb101'
    summary = pd.DataFrame(saved['summary'])
    assert set(summary.scenario) == {'b'} and set(summary.held_out) == {'class_scene'}
    assert set(summary.train_cells) == {20, 40}
    assert {'tap', 'gbdt', 'params', 'flops'} <= set(summary.predictor)
    # scored on the cells no predictor saw on any task: 4,096 minus the N training cells
    assert (summary.n == 4096 - summary.train_cells).all(), summary[['train_cells', 'n']]
    assert summary.kendall_tau.between(-1, 1).all() and summary.top_quarter_tau.between(-1, 1).all()
    assert summary[summary.predictor == 'tap'].mae.notna().all() and summary[summary.predictor == 'params'].mae.isna().all()
    # the proxies are scored on the cells NASLib lists, a subset of the unseen ones
    px = pd.DataFrame(saved['proxies'])
    assert {'nwot', 'jacov', 'snip', 'tap'} <= set(px.predictor) and (px.n < 4096 - px.train_cells).all()
    # the search ran in the largest-N fold, and its regrets are read from the table
    (search,) = [s for s in saved['search'] if s['predictor'] == 'tap']
    assert search['evaluated'] == 60 and 0 <= search['regret_top10'] <= search['regret']
    with gzip.open(out/'predictions_tb101.csv.gz', 'rt') as f: preds = pd.read_csv(f)
    assert len(preds) == (4096 - 20) + (4096 - 40)
    assert [t['train_cells'] for t in saved['targets']] == [40] and saved['targets'][0]['meets_tau'] in (True, False)
    # a re-run reuses the finished folds and gives the same figures
    again = json.loads(tapas(*args, timeout=300).stdout)
    assert again['summary'] == printed['summary']
    assert len(list((out/'folds').glob('*.json'))) == 2

def test_benchmark_bad_held_out_names_the_task(home, tmp_path):
    r = tapas('benchmark', 'tb101', '--held-out', 'cifar10', '--out', tmp_path, check=False)
    assert r.returncode == 2 and "unknown datasets ['cifar10'] for tb101" in r.stderr, r.stderr
