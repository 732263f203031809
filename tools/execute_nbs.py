"""Re-execute notebooks in place, so that they are committed with the outputs of a clean run.

    python tools/execute_nbs.py                          # every notebook under nbs/ (what `make outputs` runs)
    python tools/execute_nbs.py nbs/03_characterize.ipynb   # some (`make outputs NB=nbs/03_characterize.ipynb`)

Each notebook runs in a fresh Python process (a kernel of its own) with execnb's `CaptureShell`, the executor
`nbdev_test` uses, so a notebook's outputs are those its tests see:

- from a fresh, empty `TAPAS_HOME` (a temporary folder) on the shipped database, with the notebook's own folder as the
  working directory; `OMP_NUM_THREADS` stays as you have it;
- progress bars off: `TQDM_DISABLE=1`, and since the package passes `disable=not progress` explicitly (which tqdm's
  environment switch does not override), every tqdm bar in the process is made disabled;
- cells flagged `#| slow` or `#| notest`, or `#| eval: false`, are not run, and their outputs are cleared;
- figures are stored as PNG outputs (matplotlib's inline backend).

It fails (exit status 1, naming the notebook and the cell) when a cell raises, and also when any output holds a
traceback, a warning (output on stderr, or text with `Warning`) or a progress bar; a notebook that fails is left as it
was. A notebook that passes gets a kernelspec (python3) and, in `metadata['tapas']['code_hash']`, the hash of its code
cells (`code_hash`), which `tests/check_sync.py` compares with the code to catch outputs older than the code; then
`nbdev_clean` is run on it (settings.ini's `allowed_metadata_keys` keeps `tapas`)."""
import argparse, hashlib, json, os, re, subprocess, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
KERNELSPEC = {'name': 'python3', 'display_name': 'python3', 'language': 'python'}
SKIP_FLAGS = {'slow', 'notest'}
_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def source_text(cell) -> str:
    "A cell's source as one string (the JSON file holds a list of lines)."
    src = cell['source']
    return src if isinstance(src, str) else ''.join(src)

def code_hash(nb) -> str:
    "sha256 of the notebook's code cells' sources, in order (a notebook as a dict, from JSON or nbformat)."
    h = hashlib.sha256()
    for cell in nb['cells']:
        if cell['cell_type'] == 'code': h.update(source_text(cell).encode() + b'\0')
    return h.hexdigest()

def recorded_hash(nb) -> str | None:
    "The code hash this tool recorded when it last executed the notebook, if any."
    return nb.get('metadata', {}).get('tapas', {}).get('code_hash')

def stale_notebooks(nbs: Path) -> tuple[list[str], list[str]]:
    "Notebooks under `nbs` whose code changed since this tool executed them, and those with outputs but no hash."
    stale, unhashed = [], []
    for path in sorted(nbs.rglob('*.ipynb')):
        if '.ipynb_checkpoints' in path.parts: continue
        nb, rel = json.loads(path.read_text()), path.relative_to(nbs.parent).as_posix()
        if recorded_hash(nb) is not None:
            if recorded_hash(nb) != code_hash(nb): stale.append(rel)
        elif any(c.get('outputs') for c in nb['cells'] if c['cell_type'] == 'code'): unhashed.append(rel)
    return stale, unhashed

def skipped(cell) -> bool:
    "Whether the executor leaves this code cell unrun: flagged `#| slow` / `#| notest`, or `#| eval: false`."
    for line in source_text(cell).splitlines():
        m = _DIRECTIVE.match(line)
        if not m: continue
        name, arg = m.group(1), m.group(2)
        if name in SKIP_FLAGS or (name == 'eval' and arg.lower() == 'false'): return True
    return False

def notebooks(args) -> list[Path]:
    "The notebooks named (files or folders), or every notebook under nbs/."
    found = []
    for a in args or [NBS]:
        p = Path(a).resolve()
        if p.is_dir(): found += sorted(q for q in p.rglob('*.ipynb') if '.ipynb_checkpoints' not in q.parts
                                       and not q.name.startswith('_'))
        elif p.suffix == '.ipynb' and p.is_file(): found.append(p)
        else: sys.exit(f'execute_nbs: {a} is neither a notebook nor a folder of notebooks')
    return found

# ---------------------------------------------------------------- what a clean output is

def _texts(out) -> list[str]:
    if out.get('output_type') == 'stream': return [source_text(dict(source=out.get('text', '')))]
    return [source_text(dict(source=v)) for k, v in out.get('data', {}).items() if k.startswith('text/')]

def problems(cell) -> list[str]:
    "What is wrong with a cell's outputs: an error, a traceback, stderr output, a warning, a progress bar."
    found = []
    for out in cell.get('outputs', []):
        if out.get('output_type') == 'error': found.append(f"an error: {out.get('ename')}: {out.get('evalue')}")
        if out.get('output_type') == 'stream' and out.get('name') == 'stderr':
            found.append('output on stderr: ' + source_text(dict(source=out.get('text', ''))).strip()[:300])
        for text in _texts(out):
            if 'Traceback (most recent call last)' in text: found.append('a traceback: ' + text.strip()[-300:])
            elif 'Warning' in text: found.append('a warning: ' + text.strip()[:300])
            elif re.search(r'\d+(\.\d+)?(it|s)/(s|it)\]', text): found.append('a progress bar: ' + text.strip()[:100])
    return found

# ---------------------------------------------------------------- one notebook, in its own process

def _quiet_tqdm():
    "Disable every tqdm bar, even those created with an explicit `disable=False`."
    import tqdm.std
    init = tqdm.std.tqdm.__init__
    def quiet(self, *args, **kwargs):
        kwargs['disable'] = True
        init(self, *args, **kwargs)
    tqdm.std.tqdm.__init__ = quiet

def _cell_name(i: int, cell) -> str:
    first = next((l for l in source_text(cell).splitlines() if l.strip() and not l.lstrip().startswith('#|')), '')
    return f'cell {i} (id {cell.get("id")}): {first.strip()[:80]}'

def run_one(path: Path) -> int:
    "Execute `path` in this process (cwd and environment set by the caller) and write it back; 0 when clean."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    sys.path.insert(0, str(ROOT))
    _quiet_tqdm()
    nb = read_nb(path)   # execnb's reader: the cells carry the index `CaptureShell.cell` wants
    shell = CaptureShell(mpl_format='png')
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code': continue
        cell.outputs, cell.execution_count = [], None   # `CaptureShell.cell` keeps old outputs when there are none
        if skipped(cell): continue
        shell.cell(cell)
        if shell.exc is not None:
            print(f'{path.relative_to(ROOT)}: {_cell_name(i, cell)} raised:', file=sys.stderr)
            print(''.join(traceback.format_exception(shell.exc)), file=sys.stderr)
            return 1
        bad = problems(cell)
        if bad:
            print(f'{path.relative_to(ROOT)}: {_cell_name(i, cell)} has output that must not be committed:',
                  *bad, sep='\n  ', file=sys.stderr)
            return 1
    nb.metadata['kernelspec'] = dict(KERNELSPEC)
    nb.metadata['tapas'] = dict(nb.metadata.get('tapas', {}), code_hash=code_hash(nb))
    write_nb(nb, path)
    return 0

def execute(path: Path) -> tuple[bool, float]:
    "Run `path` in a fresh process from a fresh TAPAS_HOME, then `nbdev_clean` it; (clean?, seconds)."
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='tapas_home_') as home:
        # Ray's default (token authentication) said out loud: unset, Ray 2.60 warns about it on stderr
        env = {**os.environ, 'TAPAS_HOME': home, 'TQDM_DISABLE': '1', 'RAY_AUTH_MODE': os.environ.get('RAY_AUTH_MODE', 'token'),
               'PYTHONPATH': os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])}
        for name in ('TAPAS_DB', 'TAPAS_DB_URL'): env.pop(name, None)  # the shipped database
        r = subprocess.run([sys.executable, __file__, '--run-one', str(path)], cwd=path.parent, env=env)
    if r.returncode != 0: return False, time.monotonic() - start
    clean = Path(sys.executable).parent/'nbdev_clean'
    subprocess.run([str(clean), '--fname', str(path)], cwd=ROOT, check=True)
    nb = json.loads(path.read_text())
    if recorded_hash(nb) != code_hash(nb) or nb['metadata'].get('kernelspec', {}).get('name') != 'python3':
        sys.exit(f'{path}: nbdev_clean dropped or changed the code hash or kernelspec: '
                 "settings.ini's allowed_metadata_keys must list `tapas`")
    return True, time.monotonic() - start

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('paths', nargs='*', help='notebooks or folders (default: every notebook under nbs/)')
    p.add_argument('--run-one', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run_one: sys.exit(run_one(Path(args.run_one).resolve()))
    failed, total = [], 0.0
    for path in notebooks(args.paths):
        ok, seconds = execute(path)
        total += seconds
        print(f'{"ok    " if ok else "FAILED"} {seconds:7.1f} s  {path.relative_to(ROOT)}', flush=True)
        if not ok: failed.append(path.relative_to(ROOT).as_posix())
    print(f'{total:.0f} s in all')
    if failed: sys.exit('execute_nbs: not clean, left unchanged: ' + ' '.join(failed))

if __name__ == '__main__': main()
