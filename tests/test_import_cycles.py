"""No import cycle between the modules of `tapas_nb`, counting every import at any depth (inside functions too): the
package reads downward, as its notebooks do."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'tapas_nb'

def module_name(path: Path, root: Path = PKG) -> str:
    "`tapas_nb.x.y` for `tapas_nb/x/y.py`, `tapas_nb.x` for `tapas_nb/x/__init__.py` (`root`: the package's folder)."
    parts = path.relative_to(root.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)

def imported(path: Path, modules: set, root: Path = PKG) -> set:
    "The modules of `modules` that the file at `path` imports anywhere (`from . import x` counts as `x` where it is a module)."
    name, found = module_name(path, root), set()
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import): targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(up + ([node.module] if node.module else []))
            targets = [base] + [f'{base}.{a.name}' for a in node.names]
        else: continue
        for t in targets:
            # `import a.b.c` imports a, a.b and a.b.c; a name that is no module (a function) is left out
            found |= {p for p in ('.'.join(t.split('.')[:i]) for i in range(1, len(t.split('.')) + 1)) if p in modules}
    return found - {name}

def import_graph() -> dict:
    files = [p for p in PKG.rglob('*.py') if '__pycache__' not in p.parts]
    modules = {module_name(p) for p in files}
    return {module_name(p): imported(p, modules) for p in files}

def cycles(graph: dict) -> list:
    "Every strongly connected group of two or more modules (Tarjan), each sorted."
    index, low, stack, on, out = {}, {}, [], set(), []
    def visit(v):
        index[v] = low[v] = len(index); stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop(); on.discard(w); group.append(w)
                if w == v: break
            if len(group) > 1: out.append(sorted(group))
    for v in sorted(graph):
        if v not in index: visit(v)
    return out

def test_the_scan_finds_a_cycle():
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]
    assert cycles({'a': {'b'}, 'b': set()}) == []

def test_the_scan_sees_imports_inside_functions(tmp_path):
    root = tmp_path/'tapas_nb'; root.mkdir()
    (root/'m.py').write_text('from . import n\ndef f():\n    from .k import g\n    import tapas_nb.sub.x\n    from numpy import sum\n')
    mods = {'tapas_nb', 'tapas_nb.m', 'tapas_nb.n', 'tapas_nb.k', 'tapas_nb.sub', 'tapas_nb.sub.x', 'tapas_nb.other'}
    assert imported(root/'m.py', mods, root) == {'tapas_nb', 'tapas_nb.n', 'tapas_nb.k', 'tapas_nb.sub', 'tapas_nb.sub.x'}

def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert 'tapas_nb.tap_model' in graph and graph['tapas_nb.tap_fit'] >= {'tapas_nb.tap_model'}
    found = cycles(graph)
    assert not found, 'import cycles between modules: ' + '; '.join(' <-> '.join(g) for g in found)
