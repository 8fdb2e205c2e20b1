// The wirehttp inspector page: a live, virtualized list of exchanges fed by server-sent events, a
// detail tree of the selected exchange and its bytes as a hexdump. No framework: the DOM, fetch and
// EventSource. filter.js and hexdump.js are compiled modules of the package itself.
import { matches, parseFilter } from './filter.js';
import { hexdump } from './hexdump.js';

const ROW_H = 22;
const OVERSCAN = 10;
/** Bytes of each side shown at first in the byte pane; a button shows the rest that was kept. */
const HEX_SHOWN = 16 * 1024;

const $ = (id) => document.getElementById(id);
const viewport = $('viewport');
const spacer = $('spacer');
const filterBox = $('filter');
const countEl = $('count');
const liveEl = $('live');
const detailEl = $('detail');
const bytesEl = $('bytes');

const state = {
  /** Rows in number order: the summary fields, `lower` (heads lowercased, for text terms), `match`, `ver`. */
  rows: [],
  byNo: new Map(),
  /** The rows passing the filter, in order: what the list scrolls through. */
  shown: [],
  terms: [],
  /** The filter text the list currently reflects. */
  filterText: '',
  capacity: 0,
  first: 1,
  started: null,
  selected: null,
  /** Keep the newest row in view while the list is scrolled to its end. */
  follow: true,
  /** Where the list last scrolled itself to (-1: never). */
  autoScrollTop: -1,
  /** Row elements reused while scrolling: the DOM holds only what is visible. */
  pool: [],
  detail: null,
  detailToken: 0,
  node: null,
  hexAll: { request: false, response: false },
};

// ---- event stream ---------------------------------------------------------------------------------

function connect() {
  const source = new EventSource('/events');
  source.addEventListener('hello', (e) => {
    const hello = JSON.parse(e.data);
    state.capacity = hello.capacity;
    state.first = hello.first;
    state.started = hello.started;
    // a (re)connection resends the whole buffer: start from nothing
    state.rows = [];
    state.byNo.clear();
    setLive('live', 'live');
    scheduleRender(true);
  });
  source.addEventListener('rows', (e) => onRows(JSON.parse(e.data)));
  source.onopen = () => setLive('live', 'live');
  source.onerror = () => setLive('down', 'reconnecting…');
}

function setLive(stateName, text) {
  liveEl.dataset.state = stateName;
  liveEl.textContent = text;
}

function onRows({ first, rows }) {
  if (first > state.first) {
    state.first = first;
    let k = 0;
    while (k < state.rows.length && state.rows[k].no < first) state.byNo.delete(state.rows[k++].no);
    if (k > 0) state.rows.splice(0, k);
  }
  let selectedChanged = false;
  for (const s of rows) {
    if (s.no < state.first) continue;
    state.started ??= s.t;
    const old = state.byNo.get(s.no);
    const row = toRow(s, old);
    if (old !== undefined) {
      if (s.no === state.selected) selectedChanged = true;
      continue;
    }
    state.byNo.set(s.no, row);
    const last = state.rows[state.rows.length - 1];
    if (last === undefined || last.no < s.no) state.rows.push(row);
    else state.rows.splice(insertAt(s.no), 0, row);
  }
  while (state.capacity > 0 && state.rows.length > state.capacity) state.byNo.delete(state.rows.shift().no);
  scheduleRender(true);
  if (selectedChanged) refreshDetail();
}

/** toRow turns a summary into a list row (or updates `into`), computing its filter match once. */
function toRow(s, into) {
  const row = into ?? { ver: 0 };
  Object.assign(row, s);
  row.lower = s.text.toLowerCase();
  delete row.text;
  row.match = matches(state.terms, { method: row.method, target: row.target, status: row.status, client: row.client, text: row.lower });
  row.ver++;
  return row;
}

function insertAt(no) {
  let lo = 0;
  let hi = state.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (state.rows[mid].no < no) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- filter ---------------------------------------------------------------------------------------

let filterTimer;
filterBox.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, 60);
});

function applyFilter() {
  state.filterText = filterBox.value;
  state.terms = parseFilter(state.filterText);
  filterBox.classList.toggle('active', state.terms.length > 0);
  for (const row of state.rows) row.match = matches(state.terms, { method: row.method, target: row.target, status: row.status, client: row.client, text: row.lower });
  scheduleRender(true);
  // keep the selection in view when it still matches
  const i = state.shown.findIndex((r) => r.no === state.selected);
  if (i >= 0) scrollToIndex(i);
}

// ---- virtualized list -----------------------------------------------------------------------------

let renderQueued = false;

/** rebuild recomputes the shown rows from each row's cached match (no string work) and the count. */
function rebuild() {
  state.shown = state.terms.length === 0 ? state.rows : state.rows.filter((r) => r.match);
  spacer.style.height = `${state.shown.length * ROW_H}px`;
}

function scheduleRender(changed) {
  if (changed) rebuild();
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    if (state.follow) {
      viewport.scrollTop = viewport.scrollHeight;
      state.autoScrollTop = viewport.scrollTop;
    }
    renderRows();
    // after the rows: whoever reads the count (a test, a screen reader) finds the list drawn
    updateCount();
  });
}

function updateCount() {
  const shown = state.shown.length;
  const total = state.rows.length;
  countEl.dataset.shown = String(shown);
  countEl.dataset.total = String(total);
  countEl.dataset.filter = state.filterText;
  const n = (x) => x.toLocaleString('en');
  const kept = state.capacity > 0 ? ` (keeps the last ${n(state.capacity)})` : '';
  countEl.textContent = total === 0 ? 'no exchanges yet' : state.terms.length > 0 ? `${n(shown)} of ${n(total)} shown` : `${n(total)} exchanges${kept}`;
}

function renderRows() {
  const total = state.shown.length;
  const height = viewport.clientHeight;
  // A list that just shrank may still report its old scroll position: clamp it to the new length
  // (the sticky header takes the first ROW_H of the content).
  const top = Math.min(viewport.scrollTop, Math.max(0, (total + 1) * ROW_H - height));
  if (top !== viewport.scrollTop) viewport.scrollTop = top;
  const start = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const end = Math.min(total, Math.ceil((top + height) / ROW_H) + OVERSCAN);
  const need = Math.max(0, end - start);
  while (state.pool.length < need) state.pool.push(makeRowElement());
  for (let i = 0; i < state.pool.length; i++) {
    const el = state.pool[i];
    if (i >= need) {
      if (!el.hidden) el.hidden = true;
      continue;
    }
    const index = start + i;
    const row = state.shown[index];
    el.hidden = false;
    el.style.transform = `translateY(${(index + 1) * ROW_H}px)`;
    if (el._row !== row || el._ver !== row.ver) fillRow(el, row);
    el.classList.toggle('selected', row.no === state.selected);
  }
}

function makeRowElement() {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'row');
  for (let i = 0; i < 8; i++) el.appendChild(document.createElement('span'));
  el.children[5].className = 'status';
  el.children[6].className = 'num';
  el.children[7].className = 'num';
  viewport.appendChild(el);
  return el;
}

function fillRow(el, row) {
  el._row = row;
  el._ver = row.ver;
  el.dataset.no = String(row.no);
  const c = el.children;
  c[0].textContent = String(row.no);
  c[1].textContent = ((row.t - (state.started ?? row.t)) / 1000).toFixed(3);
  c[1].title = new Date(row.t).toISOString();
  c[2].textContent = row.client;
  c[3].textContent = row.method;
  c[4].textContent = row.target;
  c[4].title = row.target;
  c[5].textContent = row.status === null ? (row.state === 'cut' ? 'cut' : '…') : String(row.status);
  c[5].title = row.status === null ? (row.state === 'cut' ? 'the connection closed before a response' : 'waiting for the response') : `${row.status} ${row.reason}`;
  c[6].textContent = row.size === null ? '' : row.size.toLocaleString('en');
  c[7].textContent = row.dur === null ? '' : formatMs(row.dur);
  el.className = `row ${row.state}${row.status === null ? '' : ` s${String(row.status)[0]}`}`;
}

function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

viewport.addEventListener('scroll', () => {
  // Only a scroll by the user decides whether to follow; the list's own jumps to the end do not
  // (rows may have arrived since, so the position would look like "not at the end"). While
  // following, only a move up by more than a row stops it: a few pixels of adjustment by the
  // browser between our jump and this event must not.
  const atEnd = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW_H;
  if (!state.follow || viewport.scrollTop < state.autoScrollTop - ROW_H) state.follow = atEnd;
  scheduleRender(false);
}, { passive: true });
new ResizeObserver(() => scheduleRender(false)).observe(viewport);

viewport.addEventListener('click', (e) => {
  const el = e.target.closest('.row:not(.header)');
  if (el?._row !== undefined) select(el._row.no);
});

viewport.addEventListener('keydown', (e) => {
  const keys = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20 };
  let i = state.shown.findIndex((r) => r.no === state.selected);
  if (e.key in keys) i = Math.min(state.shown.length - 1, Math.max(0, (i < 0 ? 0 : i) + keys[e.key]));
  else if (e.key === 'Home') i = 0;
  else if (e.key === 'End') i = state.shown.length - 1;
  else return;
  e.preventDefault();
  if (i < 0) return;
  select(state.shown[i].no);
  scrollToIndex(i);
});

/** scrollToIndex brings shown row i into view below the sticky header. */
function scrollToIndex(i) {
  const y = (i + 1) * ROW_H;
  if (y < viewport.scrollTop + ROW_H) viewport.scrollTop = y - ROW_H;
  else if (y + ROW_H > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = y + ROW_H - viewport.clientHeight;
}

function select(no) {
  if (state.selected === no) return;
  state.selected = no;
  state.node = null;
  state.hexAll = { request: false, response: false };
  scheduleRender(false);
  refreshDetail();
}

// ---- detail ---------------------------------------------------------------------------------------

let refreshTimer;
function refreshDetail() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadDetail, 30);
}

async function loadDetail() {
  const no = state.selected;
  if (no === null) return;
  const token = ++state.detailToken;
  let detail;
  try {
    const res = await fetch(`/api/exchange/${no}`);
    detail = res.ok ? await res.json() : { gone: true };
  } catch {
    detail = { gone: true };
  }
  if (token !== state.detailToken) return;
  state.detail = detail.gone ? null : { ...detail, bytes: { request: decode(detail.request), response: decode(detail.response) } };
  renderDetail(no);
}

function decode(side) {
  if (side === null) return null;
  const bin = atob(side.base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function renderDetail(no) {
  const d = state.detail;
  detailEl.replaceChildren();
  bytesEl.replaceChildren();
  if (d === null) {
    detailEl.append(h('p', { class: 'hint' }, `Exchange ${no} is no longer in the buffer: newer exchanges took its place.`));
    return;
  }
  const c = d.connection;
  const seq = d.summary.seq;
  detailEl.append(
    h('p', { class: 'meta' },
      `#${d.summary.no} · connection ${c.id}${seq > 1 ? `, exchange ${seq} on it (reused)` : ', its first exchange'} · ${c.client} → ${c.server}`,
      c.upstream === null ? '' : ` → ${c.upstream}`,
      c.secure ? ` · TLS${c.tls === null ? '' : ` (${c.tls})`}` : '',
      c.closed === null ? ' · connection open' : ` · closed by ${c.closed.by}: ${c.closed.reason}`),
  );
  if (d.commands !== null) {
    const out = h('pre', { class: 'command', id: 'command', hidden: '' });
    const copy = (label, text) => h('button', { type: 'button', onclick: () => copyText(text, out, label) }, label);
    detailEl.append(h('div', { class: 'actions' }, copy('Copy as curl', d.commands.curl), copy('Copy as wirehttp request', d.commands.wirehttp)), out);
  }
  if (d.cut !== null) detailEl.append(h('p', { class: 'cutnote' }, `Cut short: ${d.cut}.`));
  if (d.why.length > 0) {
    detailEl.append(h('ul', { class: 'why', id: 'why', 'aria-label': 'Why the server answered so' }, ...d.why.map((n) => h('li', { 'data-topic': n.topic }, n.text))));
  }
  const tree = h('ul', { class: 'tree', id: 'tree' });
  if (d.request !== null) tree.append(sideTree('request', d.request));
  if (d.response !== null) tree.append(sideTree('response', d.response));
  detailEl.append(tree);
  renderBytes();
}

/** sideTree is a <details> per message on one side: start line, each field line, end of head, body. */
function sideTree(side, s) {
  const frag = document.createDocumentFragment();
  for (const m of s.messages) {
    const title = `${m.kind === 'request' ? 'Request' : m.kind === 'interim' ? 'Interim response' : 'Response'}: ${m.startLine.text}`;
    const items = [
      node(side, m.startLine, h('span', {}, m.startLine.text), h('span', { class: 'dim' }, m.kind === 'request' ? '  request line' : '  status line')),
      ...m.fields.map((f) => node(side, f, h('span', { class: 'fname' }, f.name), `: ${f.value}`)),
      node(side, m.headEnd, h('span', { class: 'dim' }, 'CR LF: end of head')),
    ];
    const b = m.body;
    if (b.framing !== 'none' || b.wireLength > 0) {
      const framing = { length: 'Content-Length', chunked: 'chunked', close: 'until the connection closed' }[b.framing] ?? b.framing;
      const chunks = b.chunks.map((ch) => node(side, { offset: ch.offset, length: ch.sizeLine.length + 2 }, h('span', { class: 'dim' }, `chunk size line ${ch.sizeLine}`), ` (${ch.size === 0 ? 'last chunk' : `${ch.size} bytes`})`));
      const trailers = m.trailers.map((t) => h('li', { class: 'node' }, h('span', { class: 'fname' }, t.name), `: ${t.value} (trailer)`));
      const label = `Body: ${b.size.toLocaleString('en')} bytes (${framing})${b.wireLength !== b.size ? `, ${b.wireLength.toLocaleString('en')} on the wire` : ''}`;
      items.push(node(side, { offset: b.offset, length: b.wireLength }, label, chunks.length + trailers.length > 0 ? h('ul', {}, ...chunks, ...trailers) : ''));
    }
    const sum = h('summary', { tabindex: '0' }, title, h('span', { class: 'dim' }, `  ${s.wireSize.toLocaleString('en')} bytes`));
    frag.append(h('li', {}, h('details', { open: '' }, sum, h('ul', {}, ...items))));
  }
  return frag;
}

/** node is a selectable line of the tree: choosing it highlights bytes [offset, offset+length) of its side. */
function node(side, range, ...content) {
  const li = h('li', { class: 'node', tabindex: '0', 'data-side': side, 'data-offset': String(range.offset), 'data-length': String(range.length) }, ...content);
  const choose = () => {
    detailEl.querySelectorAll('.node.selected').forEach((el) => el.classList.remove('selected'));
    li.classList.add('selected');
    state.node = { side, offset: range.offset, length: range.length };
    if (range.offset + range.length > HEX_SHOWN) state.hexAll[side] = true;
    renderBytes();
    bytesEl.querySelector('mark')?.scrollIntoView({ block: 'nearest' });
  };
  li.addEventListener('click', (e) => {
    e.stopPropagation();
    choose();
  });
  li.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      choose();
    }
  });
  return li;
}

function renderBytes() {
  const d = state.detail;
  bytesEl.replaceChildren();
  if (d === null) return;
  for (const side of ['request', 'response']) {
    const bytes = d.bytes[side];
    const info = d[side];
    if (bytes === null) continue;
    const all = state.hexAll[side] || bytes.length <= HEX_SHOWN;
    const shown = all ? bytes : bytes.subarray(0, HEX_SHOWN);
    const kept = info.truncated ? `, first ${info.kept.toLocaleString('en')} of ${info.wireSize.toLocaleString('en')} kept` : '';
    bytesEl.append(h('h3', {}, `${side === 'request' ? 'Request' : 'Response'} bytes (${info.wireSize.toLocaleString('en')}${kept})`));
    const pre = h('pre', { class: 'hex', id: `hex-${side}` });
    const mark = state.node?.side === side ? state.node : null;
    pre.innerHTML = hexHtml(shown, mark);
    bytesEl.append(pre);
    if (!all) {
      bytesEl.append(h('button', { type: 'button', onclick: () => { state.hexAll[side] = true; renderBytes(); } }, `Show all ${bytes.length.toLocaleString('en')} bytes`));
    }
  }
}

/**
 * hexHtml renders hexdump() lines with bytes [mark.offset, mark.offset + mark.length) wrapped in
 * <mark>, in both the hex and the ASCII column. hexdump's layout: offset (w digits), two spaces, 16
 * bytes as "xx " with an extra space after the eighth, two spaces, the ASCII column.
 */
function hexHtml(bytes, mark) {
  const lines = hexdump(bytes);
  const w = bytes.length > 0x10000 ? 8 : 4;
  const from = mark === null ? -1 : mark.offset;
  const to = mark === null ? -1 : mark.offset + mark.length;
  let html = '';
  for (let r = 0; r < lines.length; r++) {
    const line = lines[r];
    const base = r * 16;
    const a = Math.max(from, base) - base;
    const b = Math.min(to, base + 16) - base;
    if (mark === null || a >= b) {
      html += `${esc(line)}\n`;
      continue;
    }
    const col = (i) => w + 2 + i * 3 + (i >= 8 ? 1 : 0);
    const hexA = col(a);
    const hexB = col(b - 1) + 2;
    const ascA = w + 53 + a;
    const ascB = w + 53 + b;
    html += `${esc(line.slice(0, hexA))}<mark>${esc(line.slice(hexA, hexB))}</mark>${esc(line.slice(hexB, ascA))}<mark>${esc(line.slice(ascA, ascB))}</mark>${esc(line.slice(ascB))}\n`;
  }
  return html;
}

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function copyText(text, out, label) {
  out.hidden = false;
  out.textContent = text;
  out.dataset.copied = label;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // no clipboard permission (plain http is a secure context only on loopback): select the text instead
    const range = document.createRange();
    range.selectNodeContents(out);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand('copy');
  }
}

/** h creates an element: attributes (on* as listeners) and children (strings become text). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== '' && c !== null && c !== undefined) el.append(c);
  return el;
}

connect();
