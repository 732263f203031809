__version__ = "0.1.0"

# The package's face: `from tapas_nb import characterize, predict_accuracy, search_dataset, LDE, TAP` and the few
# other names a user needs, without learning the module each lives in. Each is imported from its module on first
# use, so that `import tapas_nb` (and with it `tapas --help`) stays quick. Two of them share their name with their
# module (`characterize`, `grow`); here the function wins: `tapas_nb.grow` is the function even after the module
# `tapas_nb.grow` is imported (reach the module as `from tapas_nb.grow import ...` or `sys.modules`).
import importlib as _importlib, sys as _sys, types as _types

_FACE = dict(
    load_dataset='data', list_datasets='data',
    parse_arch='arch', format_arch='arch', sample_archs='arch', build_model='arch',
    train_arch='train', characterize='characterize',
    LDE='lde', grow='grow',
    TAP='tap', shipped_tap='tap', predict_accuracy='tap',
    search_dataset='search', evaluate_database='evaluate',
)
__all__ = ['__version__', *_FACE]

def __getattr__(name):
    "A name of the face, imported from its module on first use."
    if name not in _FACE: raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    value = getattr(_importlib.import_module(f'{__name__}.{_FACE[name]}'), name)
    object.__setattr__(_sys.modules[__name__], name, value)
    return value

def __dir__(): return sorted({*globals(), *_FACE})

class _Face(_types.ModuleType):
    "The package module: importing a submodule named like a face name does not hide that name."
    def __setattr__(self, name, value):
        if name in _FACE and isinstance(value, _types.ModuleType) and value.__name__ == f'{__name__}.{name}':
            return   # the import system naming the submodule on its package; the face's function stays
        super().__setattr__(name, value)

_sys.modules[__name__].__class__ = _Face
