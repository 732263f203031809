"""The package has no import cycle: no chain of imports, at any depth, leads from a module of `tapas_nb` back to itself.

Every `tapas_nb/**/*.py` is parsed (not imported) with `ast`, and every import of a `tapas_nb` module is collected,
wherever it stands: at the top of the module, inside a function, a class or a `try`, relative (`from .x import y`,
`from .. import x`) or absolute (`import tapas_nb.x`, `from tapas_nb.x import y`). An import hidden inside a function
still ties the two modules together: each needs the other, so neither can be read (or taught) first."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = 'tapas_nb'

def module_name(path: Path, root: Path = ROOT) -> str:
    "`tapas_nb/nasbench/cells.py` -> `tapas_nb.nasbench.cells`; a package's `__init__.py` -> the package."
    parts = list(path.relative_to(root).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)

def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT/LIB).rglob('*.py'))}

def imported(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    "The `tapas_nb` modules that the file at `path` imports, at any depth; `from p import m` counts `p.m` if a module."
    name, tree = module_name(path, root), ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `.` is this module's package, `..` the one above it
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                source = '.'.join(base + ([node.module] if node.module else []))
            else: source = node.module or ''
            subs = [f'{source}.{a.name}' for a in node.names]
            targets = [s for s in subs if s in known] or [source]
        else: continue
        for t in targets:
            while t and t not in known: t = t.rpartition('.')[0]   # `tapas_nb.x.f` names the module `tapas_nb.x`
            if t and t != name: found.add(t)
    return found

def import_graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imported(path, set(mods)) for name, path in mods.items()}

def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    "One cycle of `graph` as [a, b, ..., a], or None (depth-first search, colouring the modules on the current path)."
    state, path = {}, []
    def visit(node):
        state[node] = 'open'; path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open': return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)): return cycle
        state[node] = 'done'; path.pop()
        return None
    for node in sorted(graph):
        if node not in state and (cycle := visit(node)): return cycle
    return None

def test_find_cycle_finds_one():
    "The search itself: it finds a cycle hidden three modules deep, and none in a tree."
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b', 'c'}, 'b': {'c'}, 'c': set()}) is None

def test_the_scan_sees_function_level_and_relative_imports(tmp_path):
    "An import inside a function, and `from .. import x`, are edges of the graph."
    pkg = tmp_path/LIB/'sub'
    pkg.mkdir(parents=True)
    (pkg/'m.py').write_text('def f():\n    from .. import search\n    import tapas_nb.sub.n as n\n')
    known = {LIB, f'{LIB}.search', f'{LIB}.sub', f'{LIB}.sub.m', f'{LIB}.sub.n'}
    assert imported(pkg/'m.py', known, root=tmp_path) == {f'{LIB}.search', f'{LIB}.sub.n'}

def test_the_graph_covers_the_package():
    graph = import_graph()
    assert f'{LIB}.search' in graph and f'{LIB}.cli' in graph
    assert graph[f'{LIB}.cli'], 'the scan found no import in cli.py, which imports the package inside its commands'

def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)
