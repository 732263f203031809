"""The datasets of the wider world load offline from what `make data` installs, with their classes and a split
that keeps near-copies (a group) on one side.

Each base is built once into a shared temporary `TAPAS_HOME` (the slow part: rendering fonts, decoding clip art),
then read back from its on-disk copy."""
import os, sys
import numpy as np
import pytest
import torch

import tapas_nb.data as data
import tapas_nb.sources as sources   # where the loaders read their paths (`data` re-exports them)

BASES = {   # name: (classes, channels, images at least)
    'emoji': (9, 3, 3000), 'clipart': (10, 3, 4000), 'textures': (5, 1, 2880), 'glyphs': (10, 1, 1500), 'solar': (4, 1, 2624)}


@pytest.fixture(scope='module')
def home(tmp_path_factory):
    old = os.environ.get('TAPAS_HOME')
    os.environ['TAPAS_HOME'] = str(tmp_path_factory.mktemp('offline_home'))
    yield
    if old is None: os.environ.pop('TAPAS_HOME')
    else: os.environ['TAPAS_HOME'] = old


def _pictures(x: torch.Tensor) -> set:
    return {bytes(img.numpy().tobytes()) for img in x}


@pytest.mark.parametrize('name', list(BASES))
def test_base_loads_with_its_classes(home, name):
    classes, channels, least = BASES[name]
    d = data.load_dataset(name)
    assert d.input_shape == (channels, 32, 32)
    assert d.num_classes >= classes if name == 'clipart' else d.num_classes == classes
    assert d.num_samples >= least
    for y in (d.y_train, d.y_val, d.y_test): assert set(y.tolist()) == set(range(d.num_classes))
    entry = data._REGISTRY[name]
    assert data._read_base(data._base_cache_path(entry)) is not None   # kept on disk, so the next load is quick
    if name in ('emoji', 'clipart'):   # colour is real: the channels differ
        assert not torch.equal(d.x_train[:, 0], d.x_train[:, 1])


@pytest.mark.parametrize('name', ['emoji', 'textures', 'glyphs'])
def test_grouped_bases_share_no_picture_across_splits(home, name):
    d = data.load_dataset(name)
    train, val, test = (_pictures(x) for x in (d.x_train, d.x_val, d.x_test))
    assert not (train & test) and not (train & val) and not (val & test)
    x, y, classes, groups = data._base_arrays(name)
    for part_a, part_b in [(0, 1), (0, 2), (1, 2)]:
        parts = data.group_split(y, groups, 0, (0.7, 0.15, 0.15), classes)
        assert not set(groups[parts[part_a]]) & set(groups[parts[part_b]])


def test_glyph_designs_are_split_whole(home):
    x, y, classes, groups = data._base_arrays('glyphs')
    assert classes == list('ABCDEFGHIJ') and len(set(groups.tolist())) >= 12
    train, val, test = data.group_split(y, groups)
    designs = [set(groups[p].tolist()) for p in (train, val, test)]
    assert all(designs) and not (designs[0] & designs[1] or designs[0] & designs[2] or designs[1] & designs[2])


def test_variants_work_on_the_new_bases(home):
    small = data.load_dataset('emoji[classes=0,8;n=300;res=8;label_noise=0.1;pixel_noise=0.05]')
    assert (small.num_classes, small.num_samples, small.input_shape) == (2, 300, (3, 8, 8))
    assert small.classes == ['Smileys & Emotion', 'Flags']
    assert data.load_dataset('solar[classes=0,3]').classes == ['p=0', 'p=1']


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setattr(sources, 'EMOJI_FONT', data.Path('/nonexistent/NotoColorEmoji.ttf'))
    with pytest.raises(data.DatasetUnavailable, match='fonts-noto-color-emoji'): data.load_emoji_arrays()
    monkeypatch.setitem(sys.modules, 'elpv_dataset.utils', None)   # as if the package were not installed
    with pytest.raises(data.DatasetUnavailable, match=r"pip install 'tapas_nb\[datasets\]'"): data.load_solar_arrays()
    monkeypatch.setitem(sys.modules, 'skimage.data', None)
    with pytest.raises(data.DatasetUnavailable, match=r"pip install 'tapas_nb\[datasets\]'"): data.load_texture_arrays()
