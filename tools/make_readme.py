"""Build README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).

Markdown cells are copied (links to `images/` rewritten to `nbs/images/`); code cells are shown with their text output, except `#| hide` cells;
nbdev directive lines (`#| ...`) are dropped. `--check` fails when README.md is out of date."""
import sys
from pathlib import Path
import nbformat

root = Path(__file__).resolve().parents[1]

def render(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type == 'markdown':
            # images sit beside the notebook, in nbs/images; the README is one folder up
            parts.append(cell.source.strip().replace('](images/', '](nbs/images/'))
            continue
        if any(l.strip().replace(' ', '') in ('#|hide', '#|export', '#|exporti') for l in lines): continue
        code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
        if code: parts.append(f'```python\n{code}\n```')
        for out in cell.get('outputs', []):
            text = out.get('text') or out.get('data', {}).get('text/markdown') or out.get('data', {}).get('text/plain')
            if text: parts.append(f"```\n{''.join(text).rstrip()}\n```")
    return '\n\n'.join(p for p in parts if p) + '\n'

if __name__ == '__main__':
    text = render(root/'nbs'/'index.ipynb')
    readme = root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`')
        print('README.md is up to date')
    else:
        readme.write_text(text)
        print(f'wrote {readme}')
