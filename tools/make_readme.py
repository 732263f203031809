"""Build README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).

Markdown cells are copied (relative links rewritten from `nbs/` to the project root); code cells are shown with their text output, except `#| hide` cells;
a `#| echo: false` cell shows its output only, and a Markdown output (`IPython.display.Markdown`) is copied as Markdown, not as text.
nbdev directive lines (`#| ...`) are dropped. `--check` fails when README.md is out of date."""
import re, sys
from pathlib import Path
import nbformat

root = Path(__file__).resolve().parents[1]

def relink(markdown: str) -> str:
    "Links relative to `nbs/` made relative to the project root: `images/x` -> `nbs/images/x`, `../X` -> `X`."
    def fix(m):
        target = m.group(1)
        if re.match(r'[a-z]+:|#|/', target): return m.group(0)
        return f"]({target[3:] if target.startswith('../') else 'nbs/' + target})"
    return re.sub(r'\]\(([^)\s]+)\)', fix, markdown)

def render(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type == 'markdown':
            # images sit beside the notebook, in nbs/images; the README is one folder up
            parts.append(relink(cell.source.strip()))
            continue
        directives = [l.strip().replace(' ', '') for l in lines if l.lstrip().startswith('#|')]
        if any(d in ('#|hide', '#|export', '#|exporti') for d in directives): continue
        code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
        if code and '#|echo:false' not in directives: parts.append(f'```python\n{code}\n```')
        for out in cell.get('outputs', []):
            markdown = out.get('data', {}).get('text/markdown')
            if markdown:
                parts.append(relink(''.join(markdown).strip()))
                continue
            text = out.get('text') or out.get('data', {}).get('text/plain')
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
