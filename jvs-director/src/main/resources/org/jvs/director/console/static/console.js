// The JVS console (docs/console.md). Everything it shows comes from the director's event stream (/events);
// every change it makes is a control API call under /v1/ with the session's CSRF token, the same calls
// jvsadm makes. Text from the director (names, health messages) is only ever set as textContent: nothing
// here parses HTML, so a server or service named <script> shows as those characters.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const CHART_POINTS = 600;
  let session = null;
  let events = null;
  let charts = null;
  let previous = null; // the last state, for rates between two events
  let lastActivityPing = 0;
  // For the browser test's figures: when the first state was drawn, and when the last event arrived.
  window.jvs = { firstRenderMs: null, lastEventMs: null, events: 0, generation: -1 };

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c); // strings become text nodes
    return e;
  }

  function message(text, ok) {
    const m = $('message');
    m.textContent = text;
    m.className = ok ? 'ok' : '';
    m.hidden = !text;
  }

  async function call(method, path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (session) headers['X-CSRF-Token'] = session.csrf;
    const r = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await r.json(); } catch (e) { data = { error: 'not JSON (' + r.status + ')' }; }
    if (r.status === 401 && path !== '/login') { loggedOut('Your session has ended: log in again.'); }
    return { status: r.status, data };
  }

  /** A change through the API: its answer, or its error text shown as the API gave it. */
  async function change(method, path, body, done) {
    const r = await call(method, path, body);
    if (r.status !== 200) { message(r.data.error || ('error ' + r.status)); return false; }
    if (path === '/v1/ipvsadm' && r.data.exit !== 0) { message(r.data.stderr.trim()); return false; }
    message(done || (r.data.result ? r.data.result : 'done'), true);
    return true;
  }

  function jvsadm(argv, done) {
    return change('POST', '/v1/ipvsadm', { argv }, done || ('jvsadm ' + argv.join(' ')));
  }

  // ---------------------------------------------------------------- login and session

  function showLogin(text) {
    session = null;
    if (events) { events.close(); events = null; }
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login').hidden = false;
    $('live').textContent = 'offline';
    $('live').className = 'badge';
    message(text || '');
    $('user').focus();
  }

  function loggedOut(text) { if (session) showLogin(text); }

  function enter(s) {
    session = s;
    document.body.classList.toggle('read-only', s.access !== 'read-write');
    $('who').textContent = s.user + ' (' + s.access + ')';
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    message('');
    openEvents();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await call('POST', '/login', { user: $('user').value, password: $('password').value });
    $('password').value = '';
    if (r.status === 200) enter(r.data);
    else message(r.data.error || ('login failed (' + r.status + ')'));
  });

  $('logout').addEventListener('click', async () => {
    await call('POST', '/logout', {});
    showLogin('Logged out.');
  });

  // The idle timeout counts the user's own activity, not the live updates: a click or key press tells the
  // director that someone is there, at most once a minute (or twice per idle timeout, if that is shorter).
  for (const type of ['click', 'keydown']) {
    document.addEventListener(type, () => {
      const now = Date.now();
      const every = session ? Math.min(60000, session.idle_timeout_s * 500) : 60000;
      if (session && now - lastActivityPing > every) { lastActivityPing = now; call('GET', '/session'); }
    });
  }

  // ---------------------------------------------------------------- live state

  let retryMs = 2000;
  $('live').addEventListener('click', () => { if (session && !events) openEvents(); });

  function openEvents() {
    events = new EventSource('/events');
    events.addEventListener('history', (e) => drawHistory(JSON.parse(e.data)));
    events.addEventListener('state', (e) => {
      const s = JSON.parse(e.data);
      window.jvs.lastEventMs = performance.now();
      window.jvs.events++;
      render(s);
      window.jvs.generation = s.generation;
      if (window.jvs.firstRenderMs === null) window.jvs.firstRenderMs = performance.now();
      $('live').textContent = 'live';
      $('live').className = 'badge live';
      retryMs = 2000;
    });
    events.addEventListener('logout', () => { events.close(); events = null; loggedOut('Your session has ended: log in again.'); });
    // this session opened more live streams (tabs, reloads) than it may: the oldest pauses until clicked
    events.addEventListener('superseded', () => {
      events.close(); events = null;
      $('live').textContent = 'paused (other tabs): click to resume';
      $('live').className = 'badge';
    });
    events.onerror = async () => {
      $('live').textContent = 'reconnecting';
      $('live').className = 'badge';
      if (events && events.readyState === EventSource.CLOSED) {
        events = null;
        // a probe, not activity: a tab left open must still time out. 401 shows the login; otherwise the
        // stream is tried again, less and less often (it may have been refused for too many open tabs)
        const r = await call('GET', '/session?probe');
        if (r.status === 200 && session) { setTimeout(() => { if (session && !events) openEvents(); }, retryMs); retryMs = Math.min(60000, retryMs * 2); }
      }
    };
  }

  function fmtCount(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return String(Math.round(n));
  }

  function fmtDuration(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 120) return s + 's';
    if (s < 7200) return Math.floor(s / 60) + 'm';
    return Math.floor(s / 3600) + 'h' + Math.floor((s % 3600) / 60) + 'm';
  }

  function tile(label, value, id) {
    return el('div', { class: 'tile', 'data-tile': id }, el('div', { class: 'v', text: value }), el('div', { class: 'k', text: label }));
  }

  function render(s) {
    const d = s.director;
    if ($('schedulers').children.length !== d.schedulers.length) $('schedulers').replaceChildren(...d.schedulers.map((n) => el('option', { value: n })));
    $('director').textContent = 'JVS ' + d.version + ' · up ' + fmtDuration(d.uptime_ms) + ' · engines ' + d.engines.join(', ');
    const services = s.snapshot.services;
    let up = 0, all = 0, active = 0;
    for (const svc of services) for (const dst of svc.dests) {
      all++; active += dst.activeConns;
      if (!dst.health || dst.health.state === 'UP' || dst.health.state.startsWith('UP')) up++;
    }
    const vrrp = s.vrrp.instances.map((i) => i.name + ' ' + i.state).join(', ') || 'none';
    const sync = s.sync.daemons.map((x) => x.state).join(', ') || 'none';
    $('overview').replaceChildren(
      tile('services', String(services.length), 'services'), tile('servers up', up + ' / ' + all, 'servers'),
      tile('active connections', fmtCount(active), 'active'), tile('connection table', fmtCount(d.connections), 'conntable'),
      tile('VRRP', vrrp, 'vrrp'), tile('sync daemons', sync, 'sync'));
    liveChartPoint(s);
    renderServices(s);
    $('vrrp').textContent = s.vrrp.listing;
    $('sync').textContent = s.sync.daemons.length ? JSON.stringify(s.sync.daemons, null, 1) : 'No sync daemon runs.';
    previous = s;
  }

  // ---------------------------------------------------------------- charts

  function makeCharts() {
    if (charts || typeof uPlot === 'undefined') return;
    const width = Math.max(320, Math.min(640, (document.body.clientWidth - 64) / 2));
    const axes = [{}, { size: 60, values: (u, v) => v.map(fmtCount) }];
    const mk = (id, series) => new uPlot({ width, height: 180, series: [{}].concat(series), axes, legend: { live: false } },
      [[], ...series.map(() => [])], $(id));
    charts = {
      conns: mk('chart-conns', [{ label: 'conn/s', stroke: '#2458a6', width: 1.5 }]),
      bytes: mk('chart-bytes', [{ label: 'in B/s', stroke: '#1a7f37', width: 1.5 }, { label: 'out B/s', stroke: '#b26a00', width: 1.5 }]),
      data: { t: [], cps: [], inb: [], outb: [] },
    };
  }

  function drawHistory(h) {
    makeCharts();
    if (!charts) return;
    charts.data = { t: h.t.map((x) => x / 1000), cps: h.cps.slice(), inb: h.in_bps.slice(), outb: h.out_bps.slice() };
    redraw();
  }

  function liveChartPoint(s) {
    makeCharts();
    if (!charts || !previous) return;
    const dt = (s.t - previous.t) / 1000;
    if (dt < 0.5) return; // an event pushed by a change, right after the last: no rate worth plotting
    const a = s.snapshot.stats, b = previous.snapshot.stats;
    const c = charts.data;
    c.t.push(s.t / 1000);
    c.cps.push(Math.max(0, a.conns - b.conns) / dt);
    c.inb.push(Math.max(0, a.inBytes - b.inBytes) / dt);
    c.outb.push(Math.max(0, a.outBytes - b.outBytes) / dt);
    for (const k of Object.keys(c)) if (c[k].length > CHART_POINTS) c[k].shift();
    redraw();
  }

  function redraw() {
    const c = charts.data;
    charts.conns.setData([c.t, c.cps]);
    charts.bytes.setData([c.t, c.inb, c.outb]);
  }

  // ---------------------------------------------------------------- services and servers

  function serviceArgs(svc) {
    const v6 = svc.ipv6 ? ['-6'] : [];
    if (svc.fwmark !== undefined) return ['-f', String(svc.fwmark), ...v6];
    const flag = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' }[svc.protocol];
    return [flag, hostPort(svc.address, svc.port)];
  }

  function hostPort(address, port) { return (address.includes(':') ? '[' + address + ']' : address) + ':' + port; }

  function netmask(prefix, v6) {
    if (v6) return String(prefix);
    const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return [24, 16, 8, 0].map((sh) => (m >>> sh) & 255).join('.');
  }

  /**
   * -E must say everything about the service: what the form does not change (the persistence netmask, the
   * flags, one-packet mode) is repeated. An empty persistence field makes the service not persistent.
   */
  function editServiceArgs(svc, scheduler, persistence) {
    const a = ['-E', ...serviceArgs(svc), '-s', scheduler];
    if (persistence !== '') {
      a.push('-p', persistence);
      if (svc.persistence) a.push('-M', netmask(svc.persistence.prefixLength, svc.ipv6));
    }
    if (svc.flags.length) a.push('-b', svc.flags.join(','));
    if (svc.ops) a.push('-o');
    return a;
  }

  /** A button that asks to be pressed again within 3 s before it acts. */
  function confirmButton(label, cls, act) {
    const b = el('button', { type: 'button', class: 'danger ' + cls, text: label });
    let armed = null;
    b.addEventListener('click', () => {
      if (armed) { clearTimeout(armed); armed = null; b.textContent = label; act(); return; }
      b.textContent = 'Confirm ' + label.toLowerCase();
      armed = setTimeout(() => { armed = null; b.textContent = label; }, 3000);
    });
    return b;
  }

  const SERVER_COLUMNS = ['server', 'forward', 'state', 'weight', 'configured', 'source', 'feedback load', 'active', 'inactive',
    'conns', 'conn/s', 'in B/s', 'out B/s', 'health'];

  function serviceBlock(svc, key) {
    const block = el('div', { class: 'service', 'data-service': key });
    const title = el('h3', {}, el('span', { class: 'name' }), el('span', { class: 'key', text: key }), el('span', { class: 'meta' }));
    const head = el('tr', {}, ...SERVER_COLUMNS.map((c) => el('th', { text: c })), el('th', { class: 'rw-only', text: 'actions' }));
    const table = el('table', {}, el('thead', {}, head), el('tbody'));
    const sched = el('input', { class: 'scheduler-input', 'aria-label': 'scheduler', value: svc.scheduler });
    sched.setAttribute('list', 'schedulers');
    const persist = el('input', { class: 'persistence-input', type: 'number', min: 1, placeholder: 'not persistent',
      'aria-label': 'persistence timeout (s)', value: svc.persistence ? String(svc.persistence.timeout) : '' });
    const edit = el('div', { class: 'service-edit rw-only' }, sched, persist,
      el('button', { type: 'button', class: 'set-scheduler', text: 'Apply' }),
      confirmButton('Remove service', 'remove-service', () => jvsadm(['-D', ...serviceArgs(block.svc)])));
    edit.querySelector('.set-scheduler').addEventListener('click',
      () => jvsadm(editServiceArgs(block.svc, sched.value.trim(), persist.value.trim())));
    const addr = el('input', { class: 'add-server-address', placeholder: '192.0.2.10:80', 'aria-label': 'server address:port' });
    const method = el('select', { class: 'add-server-method', 'aria-label': 'forwarding method' },
      ...[['-g', 'dr'], ['-m', 'nat'], ['-i', 'tun'], ['--fullnat', 'fullnat']].map(([v, t]) => el('option', { value: v, text: t })));
    const weight = el('input', { class: 'add-server-weight', type: 'number', min: 0, max: 65535, value: 1, 'aria-label': 'weight' });
    const add = el('form', { class: 'add-server rw-only' }, addr, method, weight, el('button', { type: 'submit', text: 'Add server' }));
    add.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (await jvsadm(['-a', ...serviceArgs(block.svc), '-r', addr.value.trim(), method.value, '-w', String(weight.value)])) addr.value = '';
    });
    block.append(title, table, edit, add);
    return block;
  }

  function serverRow(key, svc, server) {
    const row = el('tr', { 'data-server': key });
    for (const c of SERVER_COLUMNS) row.append(el('td', { class: 'c-' + c.toLowerCase().replace(/[^a-z]+/g, '-') }));
    for (const c of ['c-weight', 'c-configured', 'c-feedback-load', 'c-active', 'c-inactive', 'c-conns', 'c-conn-s', 'c-in-b-s', 'c-out-b-s']) {
      row.querySelector('.' + c).classList.add('num');
    }
    const target = () => ({ service: row.service, server: row.serverName });
    const toggle = el('button', { type: 'button', class: 'quiesce' });
    toggle.addEventListener('click', () => change('POST', toggle.dataset.action === 'restore' ? '/v1/servers/restore' : '/v1/servers/quiesce', target()));
    const drain = el('button', { type: 'button', class: 'drain', text: 'Drain' });
    drain.addEventListener('click', () => change('POST', '/v1/servers/drain', target()));
    const w = el('input', { class: 'weight-input', type: 'number', min: 0, max: 65535, 'aria-label': 'new weight' });
    const setw = el('button', { type: 'button', class: 'set-weight', text: 'Set' });
    setw.addEventListener('click', () => { if (w.value !== '') change('POST', '/v1/servers/weight', { ...target(), weight: Number(w.value) }); });
    const remove = confirmButton('Remove', 'remove-server', () => jvsadm(['-d', ...serviceArgs(row.svc), '-r', row.serverName]));
    row.append(el('td', { class: 'rw-only actions' }, toggle, drain, w, setw, remove));
    return row;
  }

  function set(row, cls, text) {
    const c = row.querySelector('.' + cls);
    if (c.textContent !== text) c.textContent = text;
    return c;
  }

  function renderServices(s) {
    const weights = new Map(s.servers.weights.map((x) => [x.service + '|' + x.server, x]));
    const feedback = new Map();
    for (const f of s.feedback.services) for (const d of f.dests) feedback.set(f.service + '|' + hostPort(d.address, d.port), d);
    const quorum = new Map(s.health.services.map((h) => [h.service, h]));
    const prevRates = new Map();
    const dt = previous ? (s.t - previous.t) / 1000 : 0;
    if (previous) for (const svc of previous.snapshot.services) for (const d of svc.dests) prevRates.set(svc.key + '|' + hostPort(d.address, d.port), d.stats);
    const container = $('services');
    const seen = new Set();
    for (const svc of s.snapshot.services) {
      seen.add(svc.key);
      let block = container.querySelector('.service[data-service="' + CSS.escape(svc.key) + '"]');
      if (!block) { block = serviceBlock(svc, svc.key); container.append(block); }
      block.svc = svc;
      block.querySelector('.name').textContent = s.servers.names[svc.key] || '';
      const q = quorum.get(svc.key);
      const meta = [svc.scheduler, svc.engine + ' engine', svc.persistence ? 'persistent ' + svc.persistence.timeout + 's' : null,
        svc.flags.length ? 'flags ' + svc.flags.join(',') : null,
        q ? (q.quorumUp ? 'quorum up' : 'QUORUM LOST') + (q.sorryActive ? ', sorry server in use' : '') : null].filter(Boolean).join(' · ');
      block.querySelector('.meta').textContent = meta;
      const body = block.querySelector('tbody');
      const rows = new Set();
      for (const d of svc.dests) {
        const name = hostPort(d.address, d.port);
        const key = svc.key + '|' + name;
        rows.add(key);
        let row = body.querySelector('tr[data-server="' + CSS.escape(key) + '"]');
        if (!row) { row = serverRow(key, svc, d); body.append(row); }
        row.svc = svc; row.service = svc.key; row.serverName = name;
        const wt = weights.get(key) || {};
        const fb = feedback.get(key);
        const state = wt.draining ? 'DRAINING' : d.configuredWeight === 0 ? 'QUIESCED' : d.health ? d.health.state : 'no check';
        set(row, 'c-server', name);
        set(row, 'c-forward', d.forward);
        set(row, 'c-state', state).className = 'c-state state-' + state.replace(/[^A-Z]+.*/, '');
        set(row, 'c-weight', String(d.weight));
        set(row, 'c-configured', String(d.configuredWeight));
        set(row, 'c-source', wt.source || '');
        set(row, 'c-feedback-load', fb && fb.aggregate !== null && fb.aggregate !== undefined ? Number(fb.aggregate).toFixed(2) : '-');
        set(row, 'c-active', String(d.activeConns));
        set(row, 'c-inactive', String(d.inactiveConns));
        set(row, 'c-conns', String(d.stats.conns));
        const p = prevRates.get(key);
        if (p && dt >= 0.5) {
          set(row, 'c-conn-s', fmtCount(Math.max(0, d.stats.conns - p.conns) / dt));
          set(row, 'c-in-b-s', fmtCount(Math.max(0, d.stats.inBytes - p.inBytes) / dt));
          set(row, 'c-out-b-s', fmtCount(Math.max(0, d.stats.outBytes - p.outBytes) / dt));
        }
        set(row, 'c-health', d.health ? d.health.reason + ' (' + d.health.check + ', ' + fmtDuration(d.health.lastCheckAgoMs) + ' ago)' : '').classList.add('reason');
        const toggle = row.querySelector('.quiesce');
        const quiesced = d.configuredWeight === 0;
        toggle.dataset.action = quiesced ? 'restore' : 'quiesce';
        const label = quiesced ? 'Restore' + (wt.restore_weight > 0 ? ' (' + wt.restore_weight + ')' : '') : 'Quiesce';
        if (toggle.textContent !== label) toggle.textContent = label;
      }
      for (const row of [...body.children]) if (!rows.has(row.dataset.server)) row.remove();
    }
    for (const block of [...container.children]) if (!seen.has(block.dataset.service)) block.remove();
  }

  // ---------------------------------------------------------------- changes outside a service

  $('reload').addEventListener('click', async () => {
    const r = await call('POST', '/v1/reload', {});
    if (r.status === 200) message('reloaded: ' + (r.data.changes.join('; ') || 'no changes'), true);
    else message(r.data.error || ('reload failed (' + r.status + ')'));
  });

  $('add-service').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const flag = { tcp: '-t', udp: '-u', sctp: '--sctp-service' }[$('add-service-protocol').value];
    const argv = ['-A', flag, $('add-service-address').value.trim()];
    if ($('add-service-scheduler').value.trim()) argv.push('-s', $('add-service-scheduler').value.trim());
    if ($('add-service-persistent').value) argv.push('-p', $('add-service-persistent').value);
    if (await jvsadm(argv)) $('add-service-address').value = '';
  });


  // ---------------------------------------------------------------- start

  (async () => {
    const r = await call('GET', '/session');
    if (r.status === 200) enter(r.data); else showLogin('');
  })();
})();
