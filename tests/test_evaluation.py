"""The evaluation as the README shows it, and the parts of `tapas_nb.evaluate` a notebook cannot run."""
import json, math
from pathlib import Path
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'results'/'evaluation.json'
COLUMNS = {'Kendall τ': ('kendall_tau', 2), 'Spearman ρ': ('spearman_rho', 2), 'Pearson r': ('pearson_r', 2), 'MAE (pts)': ('mae', 1),
           'top-10 regret (pts)': ('regret_top10', 2), 'τ / seed ceiling': ('tau_of_ceiling', 2)}

needs_results = pytest.mark.skipif(not RESULTS.exists(), reason='results/evaluation.json is not committed yet: '
                                   '`tapas evaluate --out results` writes it')

def readme_table() -> pd.DataFrame:
    "The evaluation table of README.md, as text cells."
    lines = ROOT.joinpath('README.md').read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith('| scenario | predictor |'))
    rows = []
    for l in lines[start:]:
        if not l.startswith('|'): break
        rows.append([c.strip() for c in l.strip('|').split('|')])
    return pd.DataFrame(rows[2:], columns=rows[0])

@needs_results
def test_readme_table_is_the_results_file():
    "Every row and figure of the README's table is the committed results file's, rounded as the header says."
    summary = json.loads(RESULTS.read_text())['summary']
    table = readme_table()
    assert len(table) == len(summary), (len(table), len(summary))
    for (_, row), want in zip(table.iterrows(), summary):
        assert (row.scenario, row.predictor) == (want['scenario'], want['predictor'])
        for header, (key, digits) in COLUMNS.items():
            value = want.get(key)
            expected = '–' if value is None or (isinstance(value, float) and math.isnan(value)) else f'{value:.{digits}f}'
            assert row[header] == expected, (row.scenario, row.predictor, header, row[header], expected)

@needs_results
def test_readme_quotes_the_database_the_results_scored():
    database = json.loads(RESULTS.read_text())['database']
    readme = ROOT.joinpath('README.md').read_text()
    assert f"{database['experiments']:,} experiments on {len(database['datasets'])} datasets" in readme

def test_folds_in_processes_equal_folds_in_this_process():
    "`_run_folds` with worker processes (spawned, so the fold function is imported there) returns what it returns serially."
    from tapas_nb.evaluate import _run_folds, fingerprint
    frame = pd.DataFrame(dict(spec=['a', 'b'], dataset=['A', 'B'], val_acc=[0.5, 0.7]))
    serial = dict(_run_folds(fingerprint, ['A', 'B', 'C'], 1, False, 'serial', (frame,)))
    pooled = dict(_run_folds(fingerprint, ['A', 'B', 'C'], 2, False, 'pooled', (frame,)))
    assert pooled == serial and len(serial) == 3
