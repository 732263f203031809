"""The index's reading order names every notebook, so a reader finds each lesson from the landing page."""
import json, re
from pathlib import Path

NBS = Path(__file__).resolve().parents[1]/'nbs'

def test_the_index_names_every_notebook():
    index = json.loads((NBS/'index.ipynb').read_text())
    text = '\n'.join(''.join(c['source']) for c in index['cells'] if c['cell_type'] == 'markdown')
    named = set(re.findall(r'`([0-9][\w.]*)`', text)) | set(re.findall(r'`(\d\d_[\w.]+)`', text))
    notebooks = {p.stem for p in NBS.rglob('*.ipynb') if p.name != 'index.ipynb' and '.ipynb_checkpoints' not in p.parts}
    missing = sorted(n for n in notebooks if n not in named)
    assert not missing, f'the index does not name: {missing}'
