"""The documentation site, checked in a real browser.

`tools/build_docs.py` builds the site from the working tree's notebooks into a temporary folder (so a stale page
cannot pass), a local HTTP server serves it on 127.0.0.1, and headless Chromium (Debian `chromium`, installed by
`make test-deps`), driven over the DevTools protocol, opens every page and checks what a reader gets: the page loads,
every image and internal link resolves, no cell shows a traceback, the sidebar lists every notebook and the decisions
page, which opens with its table and is linked from the notebooks that cite it, every public function, class and
method has its API docs with a link to its source line, and the search box finds them; every page shows its
notebook's outputs, the DC, TAP, evaluation and search lessons show their pictures (once executed), and every link
of nbdev's `_modidx.py` reaches its page (nbdev's page names redirect). The index
page is screenshotted on the way. CI runs this inside a private network namespace (`unshare -n`); so should you:
`unshare -n sh -c 'ip link set lo up; .venv/bin/python -m pytest tests/test_docs.py'`."""
import base64, functools, http.server, inspect, io, json, re, shutil, socket, subprocess, sys, threading, time
from importlib import import_module
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urlsplit
from urllib.request import ProxyHandler, build_opener

import pytest
import websocket
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
LIB = 'tapas_nb'
urlopen = build_opener(ProxyHandler({})).open  # 127.0.0.1 directly, whatever proxy the environment names

def notebooks() -> list[Path]:
    "The notebooks the site must show, in reading order: top folder (index first, then by name), then subfolders."
    found = [p for p in NBS.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_')]
    def order(p):
        rel = p.relative_to(NBS)
        return (len(rel.parts) > 1, rel.parent.as_posix(), p.stem != 'index', p.name)
    return sorted(found, key=order)

def markdown_pages() -> list[Path]:
    "The Markdown files of `nbs/` that the site publishes as pages after the notebooks (the decisions page)."
    return sorted(p for p in NBS.glob('*.md') if not p.name.startswith('_'))

def page_of(nb: Path) -> str: return nb.relative_to(NBS).with_suffix('.html').as_posix()

def title_of(nb: Path) -> str:
    "The notebook's (or Markdown page's) title as a page shows it: Markdown code marks rendered away."
    if nb.suffix == '.md':
        return next(l[2:].strip().replace('`', '') for l in nb.read_text().splitlines() if l.startswith('# '))
    for cell in json.loads(nb.read_text())['cells']:
        if cell['cell_type'] == 'markdown':
            for line in ''.join(cell['source']).splitlines():
                if line.startswith('# '): return line[2:].strip().replace('`', '')
    return nb.stem

def exported_module(nb: Path) -> str | None:
    for cell in json.loads(nb.read_text())['cells']:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(cell['source']), re.M)
        if cell['cell_type'] == 'code' and m: return f'{LIB}.{m.group(1)}'
    return None

def public_api(modname: str) -> dict:
    "{qualified name: object} for the module's public functions and classes (its `__all__`) and their methods."
    module, found = import_module(modname), {}
    for name in getattr(module, '__all__', []):
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or callable(obj)) or getattr(inspect.unwrap(obj), '__module__', None) != modname:
            continue
        found[name] = obj
        if not inspect.isclass(obj): continue
        for attr, raw in vars(obj).items():
            fn = raw.fget if isinstance(raw, property) else getattr(raw, '__func__', raw)
            if not attr.startswith('_') and inspect.isfunction(inspect.unwrap(fn)) \
                    and inspect.unwrap(fn).__qualname__ == f'{obj.__qualname__}.{attr}':
                found[f'{name}.{attr}'] = fn
    return found

# ---------------------------------------------------------------- a browser, a server, the site

class Chromium:
    "Headless Chromium with one tab, driven over the DevTools protocol (JSON messages on a websocket)."
    def __init__(self, profile: Path):
        exe = shutil.which('chromium') or shutil.which('chromium-browser')
        if exe is None: pytest.fail('chromium is not installed: run `make test-deps` (Debian package chromium)')
        profile.mkdir(parents=True, exist_ok=True)
        self.log = open(profile/'chromium.log', 'wb')
        self.proc = subprocess.Popen(
            [exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
             '--hide-scrollbars', '--no-proxy-server', f'--user-data-dir={profile}', '--remote-debugging-port=0',
             '--window-size=1280,1000', 'about:blank'], stdout=self.log, stderr=self.log)
        port_file, deadline = profile/'DevToolsActivePort', time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f'chromium did not start; its log:\n{(profile/"chromium.log").read_text()[-3000:]}')
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        tab = next(t for t in json.load(urlopen(f'http://127.0.0.1:{port}/json/list')) if t['type'] == 'page')
        # our own socket, so that no proxy named in the environment is asked
        sock = socket.create_connection(('127.0.0.1', int(port)), timeout=60)
        self.ws = websocket.create_connection(tab['webSocketDebuggerUrl'], socket=sock, timeout=60,
                                             suppress_origin=True)
        self.next_id, self.events = 0, []
        for domain in ('Page', 'Runtime', 'Network'): self.call(f'{domain}.enable')

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps(dict(id=self.next_id, method=method, params=params)))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get('id') != self.next_id: self.events.append(msg); continue
            if 'error' in msg: raise RuntimeError(f'{method}: {msg["error"]}')
            return msg['result']

    def open(self, url: str) -> list[dict]:
        "Load `url` and wait for its load event (images and deferred scripts done); return the events on the way."
        self.events = []
        result = self.call('Page.navigate', url=url)
        assert not result.get('errorText'), f'{url}: {result["errorText"]}'
        while not any(e.get('method') == 'Page.loadEventFired' for e in self.events):
            self.events.append(json.loads(self.ws.recv()))
        return self.events

    def js(self, expression: str):
        r = self.call('Runtime.evaluate', expression=expression, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r: raise RuntimeError(f'{expression[:80]}...: {r["exceptionDetails"]}')
        return r['result'].get('value')

    def screenshot(self) -> bytes: return base64.b64decode(self.call('Page.captureScreenshot', format='png')['data'])

    def close(self):
        if getattr(self, 'ws', None): self.ws.close()
        self.proc.terminate()
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        self.log.close()

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, address):
        # the browser drops connections it no longer needs (a page left while loading); anything else is reported
        if not isinstance(sys.exc_info()[1], ConnectionError): super().handle_error(request, address)

# what the page shows, read in the browser
PAGE_JS = r"""(() => {
  const text = sel => [...document.querySelectorAll(sel)].map(e => e.innerText).join('\n');
  return {
    h1: [...document.querySelectorAll('main h1')].map(e => e.innerText.replace('¶', '').trim()),
    sidebar: [...document.querySelectorAll('#sidebar ol.pages a')].map(a => ({href: a.href, text: a.innerText})),
    images: [...document.images].map(i => ({src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth})),
    resources: [...document.querySelectorAll('link[href], script[src]')].map(e => e.href || e.src),
    links: [...new Set([...document.querySelectorAll('a[href]')].map(a => a.href))],
    cell_links: [...new Set([...document.querySelectorAll('main .cell a[href]')].map(a => a.href))],
    anchors: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.name),
    errors: document.querySelectorAll('.output.error').length,
    tables: [...document.querySelectorAll('main table')].map(t => ({
      head: [...t.querySelectorAll('thead th')].map(e => e.innerText.trim()),
      rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim())),
      before_h2: (h => !h || !!(t.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING))(
        document.querySelector('main h2'))})),
    shown_outputs: [...document.querySelectorAll('main .outputs')].filter(o => o.innerText.trim() || o.querySelector('img')).length,
    output_images: [...document.querySelectorAll('main .output.image img')].map(i => ({complete: i.complete, width: i.naturalWidth})),
    outputs: text('.outputs') + text('.output'),
    api: [...document.querySelectorAll('section.api')].map(s => ({
      id: s.id, signature: s.querySelector('.signature')?.innerText || '',
      doc: s.querySelector('.docstring')?.innerText || '', source: s.querySelector('a.source')?.href || ''})),
  };
})()"""

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')/'_docs'
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_docs.py'), '--out', str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'build_docs.py failed:\n{r.stdout}\n{r.stderr}'
    return out

@pytest.fixture(scope='module')
def crawl(site, tmp_path_factory):
    "Serve the site on 127.0.0.1 and open every page in Chromium; return what each page showed."
    server = Server(('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}/'
    browser = Chromium(tmp_path_factory.mktemp('chromium'))
    try:
        pages = {}
        aliases = json.loads((site/'nbdev_aliases.json').read_text())
        for path in sorted(site.rglob('*.html')):
            if path.relative_to(site).as_posix() in aliases: continue  # redirects, checked below
            url = base + path.relative_to(site).as_posix()
            events = browser.open(url)
            info = browser.js(PAGE_JS)
            info['statuses'] = [(e['params']['response']['url'], e['params']['response']['status'])
                                for e in events if e.get('method') == 'Network.responseReceived']
            info['failed'] = [e['params'] for e in events if e.get('method') == 'Network.loadingFailed']
            info['exceptions'] = [e['params']['exceptionDetails'] for e in events
                                  if e.get('method') == 'Runtime.exceptionThrown']
            pages[url] = info
        browser.open(base + 'index.html')
        shot = tmp_path_factory.mktemp('screenshot')/'index.png'
        shot.write_bytes(browser.screenshot())
        first = next(a['id'] for info in pages.values() for a in info['api'])
        found = browser.js(f"""(() => {{ const box = document.getElementById('search');
            box.value = {json.dumps(first)}; box.dispatchEvent(new Event('input'));
            return [...document.querySelectorAll('#search-results a')].map(a => a.href); }})()""")
        # one of nbdev's page names, with an anchor as `_modidx.py` writes it: where does the browser end up?
        landed = {}
        for a in aliases:
            browser.open(base + a + '#x')
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:   # the redirect may come after the first load event
                try: landed[a] = browser.js('location.href')
                except RuntimeError: landed[a] = None  # the page was leaving while asked
                if landed[a] and landed[a] != base + a + '#x': break
                time.sleep(0.1)
        yield dict(base=base, pages=pages, screenshot=shot, search=(first, found), aliases=aliases, landed=landed)
    finally:
        browser.close()
        server.shutdown()
        server.server_close()

# ---------------------------------------------------------------- the checks

def test_every_notebook_has_a_page_that_loads(crawl):
    pages = crawl['pages']
    for nb in notebooks() + markdown_pages():
        url = crawl['base'] + page_of(nb)
        assert url in pages, f'{nb.relative_to(ROOT)} has no page {page_of(nb)}'
        assert pages[url]['h1'][:1] == [title_of(nb)], f'{url} shows {pages[url]["h1"]}, not the notebook\'s title'
    for url, info in pages.items():
        assert (url, 200) in info['statuses'], f'{url} did not load: {[s for s in info["statuses"] if s[0] == url]}'
        assert not info['exceptions'], f'{url}: a script failed: {info["exceptions"]}'

def test_images_and_internal_links_resolve(crawl):
    base, pages, fetched = crawl['base'], crawl['pages'], {}
    def status(url):
        if url not in fetched:
            try:
                with urlopen(url) as r: fetched[url] = r.status
            except HTTPError as e: fetched[url] = e.code
        return fetched[url]
    anchors = {url: set(info['anchors']) for url, info in pages.items()}
    for url, info in pages.items():
        assert not info['failed'], f'{url}: the browser failed to load {info["failed"]}'
        assert all(s < 400 for _, s in info['statuses']), f'{url}: {[s for s in info["statuses"] if s[1] >= 400]}'
        for img in info['images']:
            assert img['complete'] and img['width'] > 0, f'{url}: image {img["src"][:100]} is not shown'
            if img['src'].startswith(base): assert status(img['src']) == 200, f'{url}: image {img["src"]}'
        for res in info['resources']: assert status(res) == 200, f'{url}: {res}'
        for link in info['links']:
            if not link.startswith(base): continue  # the web, which tests do not reach
            target, fragment = urldefrag(link)
            assert status(target) == 200, f'{url} links to {link}, which is not there'
            if fragment:
                assert target in anchors, f'{url} links to {link}, a fragment of a page that is not HTML'
                assert fragment in anchors[target], f'{url} links to {link}; {target} has no #{fragment}'

def test_no_cell_shows_a_traceback(crawl):
    for url, info in crawl['pages'].items():
        assert info['errors'] == 0, f'{url} shows {info["errors"]} error outputs'
        assert 'Traceback (most recent call last)' not in info['outputs'], f'{url} shows a traceback'

def test_sidebar_lists_every_notebook_in_reading_order(crawl):
    base, nbs = crawl['base'], notebooks() + markdown_pages()
    expected = [base + page_of(nb) for nb in nbs]
    for url, info in crawl['pages'].items():
        assert [a['href'] for a in info['sidebar']] == expected, f'{url}: the sidebar does not list every notebook'
        for a, nb in zip(info['sidebar'], nbs): assert title_of(nb) in a['text'], f'{url}: {a} is not {nb.name}'

def test_decisions_page_opens_with_its_table(crawl):
    "The decisions page is on the site; before its dated history it has a table: decision, status, why, notebook."
    base, decisions = crawl['base'], NBS/'decisions.md'
    page = crawl['pages'].get(base + page_of(decisions))
    assert page is not None, f'the site has no page {page_of(decisions)}'
    assert page['tables'], 'the decisions page has no table'
    table = page['tables'][0]
    assert table['before_h2'], 'the decisions page does not open with its table: a section comes first'
    assert table['head'] == ['Decision', 'Status', 'Why, with its key figure', 'Notebook'], table['head']
    assert len(table['rows']) >= 10, f'the table of decisions has {len(table["rows"])} rows'
    statuses = {row[1] for row in table['rows']}
    assert statuses <= {'kept', 'dropped', 'open'} and 'kept' in statuses, f'statuses {statuses}'
    assert all(row[0] and row[2] and row[3] for row in table['rows']), 'a row of the table of decisions is empty'
    # every notebook that cites the decisions page links to it from its text (not only from the sidebar)
    citing = [nb for nb in notebooks() if 'decisions.md' in nb.read_text()]
    assert citing, 'no notebook cites decisions.md'
    for nb in citing:
        links = crawl['pages'][base + page_of(nb)]['cell_links']
        assert base + page_of(decisions) in links, f'{nb.name} cites decisions.md but its page does not link to it'

def test_api_docs_cover_every_public_function_class_and_method(crawl):
    documented = {a['id']: a for info in crawl['pages'].values() for a in info['api']}
    modules = {m for m in map(exported_module, notebooks()) if m}
    assert modules, 'no notebook exports a module'
    for modname in sorted(modules):
        for name, obj in public_api(modname).items():
            assert name in documented, f'{modname}.{name} has no API docs on the site'
            api = documented[name]
            assert name.rsplit('.', 1)[-1] in api['signature'], f'{name}: signature {api["signature"]!r}'
            own = obj.__dict__.get('__doc__') if inspect.isclass(obj) else inspect.unwrap(obj).__doc__
            if own and not own.startswith(f'{getattr(obj, "__name__", "")}('):  # a dataclass's made-up docstring
                words = re.findall(r'\w+', own.strip().splitlines()[0])
                assert set(words) <= set(re.findall(r'\w+', api['doc'])), f'{name}: docstring {api["doc"]!r}'
            line = inspect.getsourcelines(inspect.unwrap(obj))[1]
            module_file = Path(inspect.getsourcefile(inspect.unwrap(obj))).relative_to(ROOT/LIB).as_posix()
            assert api['source'] == f'{crawl["base"]}src/{module_file}.html#L-{line}', f'{name}: {api["source"]}'

def test_search_box_finds_an_api_entry(crawl):
    name, hrefs = crawl['search']
    assert any(h.endswith(f'#{name}') for h in hrefs), f'searching {name!r} found {hrefs}'

def test_index_screenshot(crawl):
    png = crawl['screenshot'].read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 10_000
    img = Image.open(io.BytesIO(png)).convert('L')
    assert img.width >= 1000 and img.height >= 600
    low, high = img.getextrema()
    assert high - low > 100, 'the screenshot of the index page is blank'

# ---------------------------------------------------------------- nbdev's links, outputs and pictures

def test_nbdev_links_resolve(crawl):
    "Every link of `_modidx.py` (settings.ini's doc_host + doc_baseurl + nbdev's page name) reaches the notebook's page."
    modidx = import_module(f'{LIB}._modidx').d
    site_root = modidx['settings']['doc_host'].rstrip('/') + '/' + modidx['settings']['doc_baseurl'].strip('/')
    base, aliases, landed = crawl['base'], crawl['aliases'], crawl['landed']
    anchors = {url: set(info['anchors']) for url, info in crawl['pages'].items()}
    for mod, syms in modidx['syms'].items():
        for sym, (loc, _) in syms.items():
            url = f"{site_root.rstrip('/')}/{loc}"
            assert url.startswith(site_root), url
            page, fragment = loc.split('#', 1)
            target = aliases.get(page, page)
            assert base + target in crawl['pages'], f'{sym}: {url} is no page of the site'
            if page in aliases:
                assert landed[page] == f'{base}{target}#x', f'{page} should redirect to {target}, got {landed[page]}'
            if not any(part.startswith('_') for part in sym.split('.')):  # the site documents public names only
                assert fragment in anchors[base + target], f'{sym}: {url}: {target} has no #{fragment}'

def _directives(cell) -> dict:
    return {m.group(1): m.group(2) for m in re.finditer(r'^\s*#\|\s*([\w-]+):?\s*(.*?)\s*$', ''.join(cell['source']), re.M)}

def shown_output_cells(nb: Path) -> list[dict]:
    "The code cells whose outputs the notebook's page shows (not hidden, not exported, outputs not turned off)."
    cells = []
    for cell in json.loads(nb.read_text())['cells']:
        if cell['cell_type'] != 'code' or not cell.get('outputs'): continue
        d = _directives(cell)
        if d.keys() & {'hide', 'export', 'exporti', 'default_exp'} or d.get('output') == 'false' \
                or d.get('include') == 'false': continue
        cells.append(cell)
    return cells

def has_outputs(nb: Path) -> bool:
    return any(c.get('outputs') for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')

def test_pages_show_the_outputs_of_their_notebooks(crawl):
    for nb in notebooks():
        expected = len(shown_output_cells(nb))
        shown = crawl['pages'][crawl['base'] + page_of(nb)]['shown_outputs']
        assert shown >= expected, f'{page_of(nb)} shows {shown} cell outputs; {nb.name} has {expected} to show'

# the lessons whose idea is a picture (issue 36): their pages must show it
PICTURES = ['02_encoding', '03_characterize', '05b_lde', '07c_tap', '09_evaluate', '10_search']   # TAP's walk is drawn in 07c

@pytest.mark.parametrize('stem', PICTURES)
def test_lesson_pages_show_their_pictures(crawl, stem):
    nb = NBS/f'{stem}.ipynb'
    assert nb.exists(), f'{nb.name} is gone: name the lesson that draws this picture in PICTURES'
    if not has_outputs(nb):
        pytest.skip(f'{nb.name} carries no outputs yet (run `make outputs NB=nbs/{nb.name}`); then this checks its pictures')
    images = sum(1 for c in shown_output_cells(nb) for o in c['outputs']
                 if {'image/png', 'image/jpeg', 'image/svg+xml'} & o.get('data', {}).keys())
    assert images >= 1, f'{nb.name} is executed but draws no picture'
    shown = crawl['pages'][crawl['base'] + page_of(nb)]['output_images']
    assert len(shown) >= images, f'{page_of(nb)} shows {len(shown)} output images; {nb.name} has {images}'
    assert all(i['complete'] and i['width'] > 0 for i in shown), f'{page_of(nb)}: an output image is not drawn: {shown}'
