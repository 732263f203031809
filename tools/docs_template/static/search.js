// The sidebar's search box. search_index.js (written by tools/build_docs.py) holds one entry per section and per API
// item: u (link from the site root), p (page title), s (section title), x (its text). Every typed word must occur;
// words in the section title count most, then how often they occur in its text (up to 5 times).
(function () {
  const box = document.getElementById('search'), list = document.getElementById('search-results');
  const root = document.getElementById('sidebar').dataset.root || '';
  const index = (window.TAPAS_SEARCH || []).map(e => ({...e, ls: e.s.toLowerCase(), lx: e.x.toLowerCase()}));
  function score(entry, words) {
    let total = 0;
    for (const w of words) {
      const inTitle = entry.ls.includes(w), inText = entry.lx.includes(w);
      if (!inTitle && !inText) return 0;
      total += (inTitle ? 10 : 0) + Math.min(entry.lx.split(w).length - 1, 5) + (entry.ls === w ? 20 : 0);
    }
    return total;
  }
  function element(tag, text, cls) {
    const e = document.createElement(tag);
    e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function item(href, text, where) {
    const li = document.createElement('li'), a = element('a', text);
    a.href = href;
    li.appendChild(a);
    if (where) li.appendChild(element('span', where, 'where'));
    return li;
  }
  function show() {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.replaceChildren();
    list.hidden = words.length === 0;
    if (list.hidden) return;
    const hits = index.map(e => [score(e, words), e]).filter(h => h[0] > 0).sort((a, b) => b[0] - a[0]).slice(0, 12);
    for (const [, e] of hits) list.appendChild(item(root + e.u, e.s, e.s === e.p ? '' : e.p));
    if (!hits.length) list.appendChild(element('li', 'Nothing found', 'none'));
  }
  box.addEventListener('input', show);
  box.addEventListener('keydown', ev => {
    const first = list.querySelector('a');
    if (ev.key === 'Enter' && first) window.location.href = first.href;
    if (ev.key === 'Escape') { box.value = ''; show(); }
  });
})();
