"""The shipped TAP predicts what it predicted when `tools/shipped_reference.py` recorded it: a refactoring of the
predictor (or of the sampler, the encoding and the shapes it reads) cannot change its predictions unnoticed."""
import json, sys
from pathlib import Path
import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from shipped_reference import REFERENCE, predictions, weights_digest

@pytest.fixture(scope='module')
def reference():
    torch.set_num_threads(1)
    return json.loads(REFERENCE.read_text())

def test_the_reference_belongs_to_the_shipped_weights(reference):
    assert weights_digest() == reference['weights'], 'the shipped TAP was refitted: run `python tools/shipped_reference.py`'

def test_shipped_tap_predictions_are_unchanged(reference):
    got = np.array(predictions(reference['specs']))
    want = np.array(reference['predictions'])
    assert len(got) == len(want) == 2000
    worst = np.abs(got - want).max()
    assert worst <= 1e-6, f'predictions moved by up to {worst:.2e} ({(np.abs(got - want) > 1e-6).sum()} of {len(want)})'

def test_sampler_and_mutator_draw_the_same_architectures(reference):
    from tapas_nb.arch import sample_archs, mutate_arch, format_arch
    assert [format_arch(a) for a in sample_archs(len(reference['specs']), seed=reference['seed'])] == reference['specs']
    assert [format_arch(mutate_arch(s, rng=i)) for i, s in enumerate(reference['specs'][:300])] == reference['mutations']

def test_torch_ops_predict_the_same(reference, monkeypatch):
    "Where the native level step (`07e_native`) is on, the other path, torch's ops, still gives the stored values."
    from tapas_nb.tap_model import TAPNet
    monkeypatch.setattr(TAPNet, '_native_step', lambda self, *args: None)
    got, want = np.array(predictions(reference['specs'])), np.array(reference['predictions'])
    assert np.abs(got - want).max() <= 1e-6
