"""Build the documentation site: one HTML page per notebook in `nbs/`, as committed (outputs kept, nothing is run).

    python tools/build_docs.py [--out _docs]      # what `make docs` runs; then `python -m http.server -d _docs`

Why nbconvert: nbdev's own site builder (`nbdev_docs`) needs Quarto, which cannot be installed here (PyPI's
`quarto-cli` downloads a binary while it installs). nbconvert comes with Jupyter, renders a notebook with the outputs
it was saved with, and takes a Jinja template, so the site is nbconvert, our template in `tools/docs_template/`, and
this script. As on an nbdev site:

- the pages follow the notebooks on disk, in reading order: the top folder (index first, then by file name), then each
  subfolder (the tutorials), then the Markdown pages of the top folder (the decisions page, `nbs/decisions.md`); the
  sidebar lists them all, and its search box searches every section; a link to a notebook or to one of those Markdown
  files points at its page;
- `#| hide` cells are left out and directive lines dropped; an exported cell is replaced by the API docs of the
  public functions, classes and methods it defines: signature, docstring, and a link to the line in a source view of
  the module under `src/` (inside the site, so it works offline), whose `# %%` lines link back to the notebook cell;
- a name in backticks that the site documents (a function, class, method, notebook or module) links to it;
- images in outputs become files beside the page, images that markdown shows are copied, and LaTeX becomes MathML,
  which browsers draw without a script;
- nbdev names a notebook's page without its number (`05_lde.ipynb` -> `lde.html`) in `tapas_nb/_modidx.py`, whose
  links are settings.ini's `doc_host` + `doc_baseurl` + that name + `#` + the lower-cased name: each such name is a
  page that redirects to the notebook's page, and each API entry carries the lower-cased anchor too."""
import argparse, ast, configparser, copy, html, inspect, json, re, shutil, sys, time
from dataclasses import dataclass, field, is_dataclass
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path

import jinja2, nbformat
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent/'docs_template'
MARKER = '.build_docs'  # marks an output folder as ours, so that a rebuild may empty it
EXPORTS = {'export', 'exports', 'exporti'}
warnings = []

def warn(msg):
    warnings.append(msg)
    print(f'warning: {msg}', file=sys.stderr)

# ---------------------------------------------------------------- notebooks and their cells

def find_markdown_pages(nbs: Path) -> list[Path]:
    "The Markdown files of the top folder that the site publishes as pages of their own (`decisions.md`), by name."
    return sorted(p for p in nbs.glob('*.md') if not p.name.startswith('_'))

def find_notebooks(nbs: Path) -> list[Path]:
    "Every notebook under `nbs`, in reading order: the top folder (index first, then by name), then each subfolder."
    found = [p for p in nbs.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')]
    def order(p):
        rel = p.relative_to(nbs)
        return (len(rel.parts) > 1, rel.parent.as_posix(), p.stem != 'index', p.name)
    return sorted(found, key=order)

_DIRECTIVE = re.compile(r'^\s*#\|\s*(.*?)\s*$')

def split_directives(source: str) -> tuple[dict, str]:
    "A code cell's `#| name arg` (or `#| name: arg`) lines as {name: arg}, and its source without them."
    found, kept = {}, []
    for line in source.splitlines():
        m = _DIRECTIVE.match(line)
        if not m: kept.append(line); continue
        name, _, arg = m.group(1).replace(':', ' ', 1).partition(' ')
        found[name] = arg.strip()
    return found, '\n'.join(kept).strip('\n')

def title_of(nb, default: str) -> tuple[str, str | None]:
    "The notebook's title (its first `# ` heading) and the id of the cell that holds it."
    for cell in nb.cells:
        if cell.cell_type != 'markdown': continue
        for line in cell.source.splitlines():
            if line.startswith('# '): return line[2:].strip().replace('`', ''), cell.get('id')   # as plain text: the sidebar and <title> show no Markdown
    return default, None

def _patched_classes(node) -> list[str]:
    "The classes a fastcore `@patch` / `@patch_to(C)` function is added to (`self: A|B` means both)."
    for d in node.decorator_list:
        call = d.func if isinstance(d, ast.Call) else d
        name = ast.unparse(call).rsplit('.', 1)[-1]
        if name == 'patch_to' and isinstance(d, ast.Call) and d.args: return [ast.unparse(d.args[0])]
        if name == 'patch' and node.args.args and node.args.args[0].annotation is not None:
            return [c.strip() for c in ast.unparse(node.args.args[0].annotation).strip('\'"').split('|')]
    return []

def defined_names(source: str) -> list[str]:
    "Qualified names of the public functions, classes and methods that a cell's code defines."
    try: tree = ast.parse(source)
    except SyntaxError as e:
        warn(f'cannot parse an exported cell ({e}); its names are documented from the module instead')
        return []
    public, defs = (lambda n: not n.startswith('_')), (ast.FunctionDef, ast.AsyncFunctionDef)
    names = []
    for node in tree.body:
        if isinstance(node, defs) and public(node.name):
            owners = _patched_classes(node)
            names += [f'{c}.{node.name}' for c in owners] if owners else [node.name]
        elif isinstance(node, ast.ClassDef) and public(node.name):
            names.append(node.name)
            names += [f'{node.name}.{n.name}' for n in node.body if isinstance(n, defs) and public(n.name)]
    return names

# ---------------------------------------------------------------- API docs

class _Text:
    "An annotation shown as the text it was written as (the modules use `from __future__ import annotations`)."
    def __init__(self, text): self.text = text
    def __repr__(self): return self.text

def _shown(annotation): return _Text(annotation) if isinstance(annotation, str) else annotation

@dataclass
class Api:
    name: str           # qualified: `LDE`, `LDE.add_experiments`
    raw: object         # as stored on its module or class (a property, classmethod, function, class...)
    page: 'Page'
    source: str = ''    # the source line's address from the site root, e.g. src/lde.py.html#L-42

    @property
    def kind(self) -> str:
        if inspect.isclass(self.raw): return 'class'
        if isinstance(self.raw, property): return 'property'
        if isinstance(self.raw, (classmethod, staticmethod)): return type(self.raw).__name__
        return 'method' if '.' in self.name else 'function'

    @property
    def target(self):
        "The object whose signature, docstring and source line are shown."
        if isinstance(self.raw, property): return self.raw.fget
        return inspect.unwrap(getattr(self.raw, '__func__', self.raw))

    def signature(self) -> str:
        "`def name(a: int, b=2) -> str`, `class Name(...)`, or `name: type` for a property; long ones one per line."
        short, t = self.name.rsplit('.', 1)[-1], self.target
        if self.kind == 'property':
            ret = inspect.signature(t).return_annotation
            return short if ret is inspect.Signature.empty else f'{short}: {_shown(ret)!r}'
        prefix = 'class' if self.kind == 'class' else 'async def' if inspect.iscoroutinefunction(t) else 'def'
        try: sig = inspect.signature(t)
        except (TypeError, ValueError): return f'{prefix} {short}(...)'
        params = list(sig.parameters.values())
        if self.kind in ('method', 'property') and params and params[0].name == 'self': params = params[1:]
        P, items = inspect.Parameter, []
        for i, p in enumerate(params):
            if p.kind == P.KEYWORD_ONLY and (i == 0 or params[i-1].kind not in (P.KEYWORD_ONLY, P.VAR_POSITIONAL)):
                items.append('*')
            items.append(str(p.replace(annotation=_shown(p.annotation))))
            if p.kind == P.POSITIONAL_ONLY and (i + 1 == len(params) or params[i+1].kind != P.POSITIONAL_ONLY):
                items.append('/')
        ret = '' if sig.return_annotation is inspect.Signature.empty else f' -> {_shown(sig.return_annotation)!r}'
        one_line = f'{prefix} {short}({", ".join(items)}){ret}'
        return one_line if len(one_line) <= 100 else f'{prefix} {short}(\n    ' + ',\n    '.join(items) + f'\n){ret}'

    def docstring(self) -> str:
        t = self.target
        doc = t.__dict__.get('__doc__') if inspect.isclass(t) else t.__doc__
        # a dataclass without a docstring gets its signature as one; that is not documentation
        if doc and is_dataclass(t) and doc.startswith(f'{t.__name__}('): doc = None
        return inspect.cleandoc(doc) if doc else ''

def source_of(api: Api, pkg: Path) -> str:
    "Where `api` is defined, as the address of its line in the site's source view."
    try: path, line = Path(inspect.getsourcefile(api.target)).resolve(), inspect.getsourcelines(api.target)[1]
    except (TypeError, OSError):
        warn(f'{api.name}: its source cannot be found, so its API docs have no source link'); return ''
    if not path.is_relative_to(pkg):
        warn(f'{api.name} is defined outside the package ({path}); no source link'); return ''
    return f'src/{path.relative_to(pkg).as_posix()}.html#L-{line}'

# ---------------------------------------------------------------- markdown

def _mathml(tex: str, display: str) -> str:
    try: return latex_to_mathml(tex, display=display)
    except Exception as e:  # latex2mathml raises many kinds; the formula is then shown as written
        warn(f'LaTeX not converted ({type(e).__name__}: {e}): {tex[:60]}')
        return f'<code class="tex">{html.escape(tex)}</code>'

class MathMLRenderer(IPythonRenderer):
    "nbconvert's markdown renderer, with LaTeX turned into MathML instead of left for MathJax (a script from the web)."
    def block_math(self, body): return _mathml(body, 'block')
    def inline_math(self, body): return _mathml(body, 'inline')
    def latex_environment(self, name, body): return _mathml(f'\\begin{{{name}}}{body}\\end{{{name}}}', 'block')

def markdown_html(source: str, attachments=None) -> str:
    return MarkdownWithMath(renderer=MathMLRenderer(escape=False, attachments=attachments or {})).render(source)

class DocsExporter(TemplateExporter):
    "nbconvert's template exporter with our markdown renderer and Python highlighting."
    # (not HTMLExporter, which re-parses every page with BeautifulSoup to patch its own template's markup)
    output_mimetype, file_extension = 'text/html', '.html'

    @jinja2.pass_context
    def markdown2html(self, context, source):
        return markdown_html(source, context.get('cell', {}).get('attachments'))

    def default_filters(self):
        yield from super().default_filters()
        yield 'markdown2html', self.markdown2html
        yield 'highlight_code', Highlight2HTML(pygments_lexer='ipython3', parent=self)

_FENCE = re.compile(r'^\s*(```|~~~)')
_MD_LINK = re.compile(r'!?\[[^\]]*\]\([^)]*\)')
_CODE = re.compile(r'`(\w[\w./]*?)(\(\))?`')

def link_names(md: str, symbols: dict, root: str) -> str:
    "Markdown with each `name` in backticks that `symbols` knows turned into a link (not inside code blocks or links)."
    def code(m):
        href = symbols.get(m.group(1))
        return f'[{m.group(0)}]({root}{href})' if href else m.group(0)
    out, fenced = [], False
    for line in md.split('\n'):
        if _FENCE.match(line): fenced = not fenced
        if fenced or _FENCE.match(line) or '`' not in line: out.append(line); continue
        parts, last = [], 0
        for m in _MD_LINK.finditer(line):
            parts += [_CODE.sub(code, line[last:m.start()]), m.group(0)]; last = m.end()
        out.append(''.join(parts) + _CODE.sub(code, line[last:]))
    return '\n'.join(out)

# ---------------------------------------------------------------- the site

@dataclass
class Page:
    path: Path                 # the notebook
    href: str                  # from the site root: `05b_lde.html`, `tutorials/01_x.html`
    group: str
    nb: object
    title: str = ''
    title_cell: str | None = None
    module: str | None = None  # the module its cells export to, e.g. `tapas_nb.lde`
    apis: dict = field(default_factory=dict)  # exported cell id -> [Api]

    @property
    def root(self) -> str: return '../' * self.href.count('/')
    def link(self) -> dict: return dict(href=self.href, title=self.title, label=self.path.stem)

def markdown_notebook(path: Path):
    "A Markdown file as a notebook of one Markdown cell, so that it becomes a page like any notebook."
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(path.read_text(), id=path.stem)])

def read_pages(nbs: Path) -> list[Page]:
    pages = []
    for path in find_notebooks(nbs):
        rel = path.relative_to(nbs)
        group = 'Notebooks' if len(rel.parts) == 1 else rel.parent.as_posix().replace('_', ' ').capitalize()
        pages.append(Page(path, rel.with_suffix('.html').as_posix(), group, nbformat.read(path, as_version=4)))
    for path in find_markdown_pages(nbs):
        pages.append(Page(path, path.with_suffix('.html').name, 'Project', markdown_notebook(path)))
    for page in pages: page.title, page.title_cell = title_of(page.nb, page.path.stem)
    return pages

def _api(module, name: str, page: 'Page', pkg: Path) -> Api:
    "The API entry for `name` (`f`, `C` or `C.m`) as found on `module`."
    owner, obj = None, module
    try:
        for part in name.split('.'): owner, obj = obj, getattr(obj, part)
    except AttributeError:
        sys.exit(f'{page.path.name} defines {name}, which {module.__name__} lacks: run nbdev_export')
    api = Api(name, inspect.getattr_static(owner, name.rsplit('.', 1)[-1]), page)
    api.source = source_of(api, pkg)
    return api

def collect_apis(pages: list[Page], lib: str, pkg: Path) -> dict:
    "Fill each page's API entries from its exported cells; return {module name: [Page]}."
    modules, documented = {}, set()
    for page in pages:
        default = None
        for cell in page.nb.cells:
            if cell.cell_type != 'code': continue
            d, src = split_directives(cell.source)
            if 'default_exp' in d: default = page.module = f"{lib}.{d['default_exp']}"
            flag = next(iter(d.keys() & EXPORTS), None)
            if flag in (None, 'exporti'): continue  # `exporti`: internal, nothing public to document
            modname = f'{lib}.{d[flag]}' if d[flag] else default
            if modname is None: warn(f'{page.path.name}: an exported cell before `#| default_exp`'); continue
            try: module = import_module(modname)
            except Exception as e: sys.exit(f'{page.path.name}: cannot import {modname} ({e}); run nbdev_export')
            if page not in modules.setdefault(modname, []): modules[modname].append(page)
            for name in defined_names(src):
                page.apis.setdefault(cell.get('id'), []).append(_api(module, name, page, pkg))
                documented.add((modname, name))
    # what a module exports that no cell was seen defining (made some other way) goes at the end of its first page
    for modname, mod_pages in modules.items():
        module = import_module(modname)
        for name in getattr(module, '__all__', []):
            obj = getattr(module, name, None)
            if callable(obj) and getattr(inspect.unwrap(obj), '__module__', None) == modname \
                    and (modname, name) not in documented:
                mod_pages[0].apis.setdefault(None, []).append(_api(module, name, mod_pages[0], pkg))
    return modules

def api_html(api: Api, root: str, symbols: dict) -> str:
    h = 'h4' if '.' in api.name else 'h3'
    name = html.escape(api.name)
    src = f'<a class="source" href="{root}{api.source}">source</a>' if api.source else ''
    doc = api.docstring()
    sig = highlight(api.signature(), PythonLexer(), HtmlFormatter())
    kind = 'method' if '.' in api.name else api.kind
    # nbdev links to `#{name.lower()}` (tapas_nb/_modidx.py): that anchor is here too
    alias = f'<span class="nbdev-anchor" id="{html.escape(api.name.lower())}"></span>' if api.name.lower() != api.name else ''
    return (f'<section class="api {kind}" id="{name}">{alias}\n'
            f'<{h}><span><code>{name}</code><a class="anchor-link" href="#{name}">¶</a></span>{src}</{h}>\n'
            f'<div class="signature">{sig}</div>\n'
            f'<div class="docstring">{markdown_html(link_names(doc, symbols, root)) if doc else ""}</div>\n'
            '</section>\n')

def _raw_html(text: str):
    return nbformat.v4.new_raw_cell(text, metadata={'docs_html': True})

def page_notebook(page: Page, symbols: dict):
    "A copy of the page's notebook, ready for the template: hidden cells gone, API docs in place of exported code."
    nb, cells, root = copy.deepcopy(page.nb), [], page.root
    for cell in nb.cells:
        cid = cell.get('id')
        if cell.cell_type == 'markdown':
            cell.source = link_names(cell.source, symbols, root)
            cells.append(cell)
            if cid == page.title_cell and page.module:
                src = f'{root}src/{page.module.split(".", 1)[1].replace(".", "/")}.py.html'
                cells.append(_raw_html(f'<p class="module">Exported to <a href="{src}"><code>{page.module}</code></a>'
                                       ' (source view).</p>'))
            continue
        if cell.cell_type != 'code': cells.append(cell); continue
        d, src = split_directives(cell.source)
        if d.keys() & {'hide', 'default_exp'} or d.get('include') == 'false': continue
        if d.keys() & EXPORTS:
            docs = ''.join(api_html(a, root, symbols) for a in page.apis.get(cid, []))
            if 'exports' not in d:  # the cell stays as an anchor: the source view's `# %%` lines link to it
                code = highlight(src, PythonLexer(), HtmlFormatter())
                cells.append(_raw_html(f'<div class="cell api-cell" id="cell-{cid}">\n{docs}'
                                       f'<details class="exported"><summary>exported code</summary>{code}</details>'
                                       '</div>'))
                continue
            cells.append(_raw_html(docs))
        if not src.strip() and not cell.get('outputs'): continue
        cell.source = src
        if d.get('echo') == 'false': cell.metadata['docs_hide_input'] = True
        if d.get('output') == 'false': cell.outputs = []
        cells.append(cell)
    if page.apis.get(None):
        cells.append(_raw_html('<h2 id="also-exported">Also exported</h2>\n'
                               + ''.join(api_html(a, root, symbols) for a in page.apis[None])))
    nb.cells = cells
    return nb

_IMAGE = re.compile(r'!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\s[^>]*?src=["\']([^"\']+)')

def copy_images(page: Page, nbs: Path, out: Path):
    "Copy the local images that the page's markdown shows, to the same place relative to the page."
    for cell in page.nb.cells:
        if cell.cell_type != 'markdown': continue
        for m in _IMAGE.finditer(cell.source):
            url = m.group(1) or m.group(2)
            if re.match(r'[a-z][a-z0-9+.-]*:', url, re.I) or url.startswith('/'): continue
            src = (page.path.parent/url).resolve()
            if not src.is_file() or not src.is_relative_to(nbs.resolve()):
                warn(f'{page.path.name} shows {url}, which is not a file under {nbs}'); continue
            dest = out/src.relative_to(nbs.resolve())
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)

class Sections(HTMLParser):
    "A rendered page cut into sections (at headings with ids and at API entries), for the search index."
    VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}
    SKIP = {'input', 'outputs', 'signature', 'exported', 'anchor-link', 'source'}  # code, outputs, link marks

    def __init__(self):
        super().__init__()
        self.sections, self.stack, self.heading = [dict(id='', title='', text=[])], [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID: return
        a = dict(attrs)
        skip = (bool(self.stack) and self.stack[-1][1]) or tag in ('script', 'style') \
            or bool(set((a.get('class') or '').split()) & self.SKIP)
        self.stack.append((tag, skip))
        if a.get('id') and (re.fullmatch(r'h[1-4]', tag) or tag == 'section'):
            self.sections.append(dict(id=a['id'], title=a['id'] if tag == 'section' else '', text=[]))
            if tag != 'section': self.heading = tag

    def handle_endtag(self, tag):
        if tag == self.heading: self.heading = None
        if any(t == tag for t, _ in self.stack):
            while self.stack.pop()[0] != tag: pass

    def handle_data(self, data):
        if self.stack and self.stack[-1][1]: return
        if self.heading: self.sections[-1]['title'] += data
        else: self.sections[-1]['text'].append(data)

def search_entries(page: Page, body: str) -> list[dict]:
    main = body[body.find('<main'):body.rfind('</main>')]
    parser = Sections()
    parser.feed(main)
    entries = []
    for s in parser.sections:
        title, text = ' '.join(s['title'].split()), ' '.join(''.join(s['text']).split())
        if not (title or text): continue
        entries.append(dict(u=page.href + (f"#{s['id']}" if s['id'] else ''), p=page.title, s=title or page.title,
                            x=text[:4000]))
    return entries

def source_views(pkg: Path, lib: str, modules: dict, pages: list[Page], site: dict, env, out: Path) -> int:
    "Write `src/<module>.py.html` for every module of the package: highlighted, each line an anchor."
    by_path = {p.path.resolve(): p for p in pages}
    template, count = env.get_template('source.html.j2'), 0
    for path in sorted(pkg.rglob('*.py')):
        if path.name == '_modidx.py': continue  # nbdev's index of external doc links
        rel = path.relative_to(pkg).as_posix()
        href = f'src/{rel}.html'
        root = '../' * href.count('/')
        lines = HtmlFormatter(linenos='inline', lineanchors='L', wrapcode=True)
        code = highlight(path.read_text(), PythonLexer(), lines)
        def back(m):
            nb = by_path.get((path.parent/html.unescape(m.group(1))).resolve())
            if nb is None: return m.group(0)
            link = f'<a href="{root}{nb.href}#cell-{m.group(2)}">{m.group(1)} #{m.group(2)}</a>'
            return f'<span class="c1"># %% {link}</span>'
        code = re.sub(r'<span class="c1"># %% (\S+\.ipynb) #([\w-]+)</span>', back, code)
        modname = f"{lib}.{rel[:-3].replace('/', '.')}".removesuffix('.__init__')
        page = dict(title=modname, href=href, root=root, notebooks=[p.link() for p in modules.get(modname, [])])
        (out/href).parent.mkdir(parents=True, exist_ok=True)
        (out/href).write_text(template.render(site=site, page=page, code=code))
        count += 1
    return count

_LOCAL_HREF = re.compile(r'href="((?![a-zA-Z][\w+.-]*:|#|/)[^"#]*?)\.(ipynb|md)(?=["#])')

def page_links(body: str, page: Page, nbs: Path) -> str:
    "Links to notebooks, and to the Markdown files the site publishes, pointed at their pages."
    published = {p.resolve() for p in find_markdown_pages(nbs)}
    def fix(m):
        if m.group(2) == 'md' and (page.path.parent/f'{m.group(1)}.md').resolve() not in published: return m.group(0)
        return f'href="{m.group(1)}.html'
    return _LOCAL_HREF.sub(fix, body)

# ---------------------------------------------------------------- the names nbdev gives pages

ALIASES = 'nbdev_aliases.json'  # {alias: page}, for tests and for anyone who wants to know

def nbdev_aliases(pages: list[Page], nbs: Path, out: Path) -> dict:
    """Write a redirecting page under the name nbdev gives each notebook's page (`09b_anchor_evaluation.ipynb` ->
    `anchor_evaluation.html`: its `_modidx.py` links and Quarto's pages use it), so that those links resolve here."""
    from nbdev.doclinks import _nbpath2html  # nbdev's own rule, not a copy of it
    aliases, taken = {}, {p.href for p in pages}
    for page in pages:
        alias = _nbpath2html(page.path.relative_to(nbs)).as_posix()
        if alias == page.href: continue
        if alias in taken or alias in aliases:
            warn(f'{page.path.name}: nbdev names its page {alias}, which another page has; no redirect written'); continue
        target = page.href.rsplit('/', 1)[-1]  # the alias sits in the same folder as the page
        title = html.escape(page.title)
        (out/alias).write_text(
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
            f'<link rel="canonical" href="{target}">\n<meta http-equiv="refresh" content="0; url={target}">\n'
            f'<script>location.replace({json.dumps(target)} + location.hash)</script></head>\n'
            f'<body><p><a href="{target}">{title}</a></p></body></html>\n')
        aliases[alias] = page.href
    (out/ALIASES).write_text(json.dumps(aliases, indent=1) + '\n')
    return aliases

def fresh_folder(out: Path):
    if out.exists():
        if any(out.iterdir()) and not (out/MARKER).exists():
            sys.exit(f'--out {out}: the folder is not empty and was not written by build_docs.py; choose another')
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/MARKER).write_text('written by tools/build_docs.py, which empties this folder on each build\n')

def build(out: Path, nbs: Path = ROOT/'nbs') -> dict:
    "Build the site into `out`; return what was written (pages, source views, warnings)."
    start = time.perf_counter()
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT/'settings.ini')
    lib = cfg['DEFAULT']['lib_name']
    pkg = (ROOT/cfg['DEFAULT'].get('lib_path', lib)).resolve()
    sys.path.insert(0, str(ROOT))  # document the working tree's package, even where another copy is installed
    pages = read_pages(nbs)
    if not pages: sys.exit(f'no notebooks under {nbs}')
    modules = collect_apis(pages, lib, pkg)
    symbols = {}
    def add(name, href): symbols[name] = None if name in symbols and symbols[name] != href else href
    for p in pages:
        add(p.path.stem, p.href)
        if p.path.suffix == '.md': add(p.path.name, p.href); add(f'{nbs.name}/{p.path.name}', p.href)  # `decisions.md`
        for apis in p.apis.values():
            for a in apis: add(a.name, f'{p.href}#{a.name}')
    for modname, mod_pages in modules.items(): add(modname, mod_pages[0].href)
    groups = {}
    for p in pages: groups.setdefault(p.group, []).append(p.link())
    site = dict(name=cfg['DEFAULT'].get('title', lib), description=cfg['DEFAULT'].get('description', ''),
                groups=[dict(name=g, pages=ps) for g, ps in groups.items()])

    fresh_folder(out)
    shutil.copytree(TEMPLATE/'static', out/'static')
    (out/'static'/'pygments.css').write_text(HtmlFormatter(style='default').get_style_defs('.highlight'))
    c = Config()
    c.DocsExporter.extra_template_basedirs = [str(TEMPLATE.parent)]
    c.DocsExporter.template_name = TEMPLATE.name
    c.DocsExporter.template_file = 'page.html.j2'
    c.ExtractOutputPreprocessor.enabled = True
    exporter, index = DocsExporter(config=c), []
    for i, page in enumerate(pages):
        dest = out/page.href
        dest.parent.mkdir(parents=True, exist_ok=True)
        info = dict(title=page.title, href=page.href, root=page.root,
                    prev=pages[i-1].link() if i else None, next=pages[i+1].link() if i + 1 < len(pages) else None)
        resources = dict(site=site, page=info, output_files_dir=f'{page.path.stem}_files', unique_key='output',
                         metadata=dict(path=str(page.path.parent)))
        body, res = exporter.from_notebook_node(page_notebook(page, {k: v for k, v in symbols.items() if v}),
                                                resources=resources)
        body = page_links(body, page, nbs)
        dest.write_text(body)
        for name, data in res.get('outputs', {}).items():
            (dest.parent/name).parent.mkdir(parents=True, exist_ok=True)
            (dest.parent/name).write_bytes(data)
        copy_images(page, nbs, out)
        index += search_entries(page, body)
    (out/'search_index.js').write_text('window.TAPAS_SEARCH = ' + json.dumps(index, ensure_ascii=False) + ';\n')
    views = source_views(pkg, lib, modules, pages, site, exporter.environment, out)
    nbdev_aliases(pages, nbs, out)
    apis = sum(len(v) for p in pages for v in p.apis.values())
    print(f'built {len(pages)} pages ({apis} API entries) and {views} source views into {out} '
          f'in {time.perf_counter() - start:.1f} s' + (f', {len(warnings)} warnings' if warnings else ''))
    return dict(pages=[p.href for p in pages], views=views, apis=apis, warnings=list(warnings))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', type=Path, default=ROOT/'_docs', help='folder to write the site into (default: _docs)')
    ap.add_argument('--nbs', type=Path, default=ROOT/'nbs', help='folder of notebooks (default: nbs)')
    args = ap.parse_args()
    build(args.out.resolve(), args.nbs.resolve())
