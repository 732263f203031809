"""Write tests/data/shipped_tap_reference.json: the shipped TAP's predictions on 2,000 sampled architectures.

    python tools/shipped_reference.py

`tests/test_shipped_tap.py` checks that the code reads the shipped TAP to the same predictions (within 1e-6), so a
refactoring of the predictor cannot change them unnoticed. Run it again whenever the shipped TAP is refitted
(`tools/build_assets.py` does)."""
import hashlib, json
from pathlib import Path
import torch
from safetensors.torch import load_file
from tapas_nb.arch import sample_archs, mutate_arch, format_arch
from tapas_nb.tap import assets_dir, shipped_tap
from tapas_nb import native   # predict as a search does: the prefix-tree walk, the C level step where it can

REFERENCE = Path(__file__).resolve().parents[1]/'tests'/'data'/'shipped_tap_reference.json'
# four datasets a user might bring: (dcn, classes, images, native shape); None: all the protocol uses
SETTINGS = [(0.9, 10, None, None), (0.5, 3, 1000, '1x8x8'), (0.75, 4, 70_000, [1, 28, 28]), (0.3, 10, 500, [1, 4, 4])]
N, SEED = 2000, 21

def weights_digest(path=None) -> str:
    "sha256 of the shipped TAP's tensors (names, shapes and values), whatever order the file stores them in."
    state = load_file(str(path or assets_dir()/'tap.safetensors'))
    h = hashlib.sha256()
    for k in sorted(state): h.update(k.encode()); h.update(str(tuple(state[k].shape)).encode()); h.update(state[k].numpy().tobytes())
    return h.hexdigest()

def predictions(specs: list) -> list:
    "Predictions of the shipped TAP: the specs split into one block per dataset setting."
    tap, per = shipped_tap(), len(specs) // len(SETTINGS)
    out = []
    for i, (dcn, classes, n, shape) in enumerate(SETTINGS):
        block = specs[i * per:(i + 1) * per]
        out += tap.predict(block, dcn, classes, num_samples=n, input_shape=shape).astype(float).tolist()
    return out

def write_reference() -> Path:
    "Record the shipped TAP's predictions, and the sampler's and mutator's draws they come from."
    torch.set_num_threads(1)
    specs = [format_arch(a) for a in sample_archs(N, seed=SEED)]
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    # the sampler's and mutator's draws too: the architectures above come from them
    mutations = [format_arch(mutate_arch(s, rng=i)) for i, s in enumerate(specs[:300])]
    REFERENCE.write_text(json.dumps(dict(weights=weights_digest(), seed=SEED, settings=SETTINGS, specs=specs,
                                         mutations=mutations, predictions=predictions(specs)), indent=0) + '\n')
    return REFERENCE

if __name__ == '__main__': print(f'wrote {write_reference()}')
