/* global document, location, sessionStorage, history, Node, confirm, alert */
// The dashboard: polls the admin API every 2 s and draws runs, steps, per-topic backfill, throughput and lag
// charts, groups (cutover / rollback with confirmation) and verification. Every text goes in with
// textContent (topic names are data, never markup). The token stays in this tab's sessionStorage.
import { COLOURS, lineChart } from './charts.js';

const $ = (id) => document.getElementById(id);
const n = (x) => (x ?? 0).toLocaleString('en-US');
let selected = new URLSearchParams(location.search).get('run');
let timer;

function token() {
  return sessionStorage.getItem('k2p-token') ?? '';
}

async function api(method, path, body) {
  const headers = {};
  if (token()) headers.authorization = `Bearer ${token()}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (res.status === 401) {
    showLogin('The token was refused.');
    throw new Error('unauthorised');
  }
  if (!res.ok) throw new Error(data?.error ? `${data.error.code}: ${data.error.message}` : `HTTP ${res.status}`);
  return data;
}

function showLogin(message) {
  clearTimeout(timer);
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('k2p-token', $('token').value);
  $('login').hidden = true;
  void refresh();
});

function cell(row, content) {
  const td = document.createElement('td');
  if (content instanceof Node) td.append(content);
  else td.textContent = content ?? '';
  row.append(td);
  return td;
}

function bar(percent) {
  const outer = document.createElement('div');
  outer.className = 'bar';
  outer.setAttribute('role', 'progressbar');
  outer.setAttribute('aria-valuenow', String(percent));
  const fill = document.createElement('div');
  fill.style.width = `${Math.min(100, percent)}%`;
  const label = document.createElement('span');
  label.textContent = `${percent.toFixed(1)}%`;
  outer.append(fill, label);
  return outer;
}

function renderRuns(runs) {
  const ul = $('runs');
  ul.replaceChildren();
  for (const r of runs) {
    const li = document.createElement('li');
    li.dataset.run = r.id;
    li.className = r.id === selected ? 'selected' : '';
    li.textContent = `${r.name ?? r.id} — ${r.status}, ${r.step}`;
    li.addEventListener('click', () => {
      selected = r.id;
      history.replaceState(null, '', `?run=${encodeURIComponent(r.id)}`);
      void refresh();
    });
    ul.append(li);
  }
}

function renderSteps(run) {
  const ol = $('steps');
  ol.replaceChildren();
  for (const [name, s] of Object.entries(run.steps)) {
    const li = document.createElement('li');
    li.className = s.status;
    li.dataset.step = name;
    const b = document.createElement('b');
    b.textContent = `${name}: ${s.status}`;
    const small = document.createElement('small');
    small.textContent = s.error ? `${s.error.code}: ${s.error.message}` : (s.note ?? '');
    li.append(b, small);
    ol.append(li);
  }
}

function renderCharts(points) {
  const topics = new Set(points.flatMap((p) => Object.keys(p.topics ?? {})));
  const perTopic = [...topics].slice(0, COLOURS.length - 1);
  const series = (key) => [
    { name: 'all topics', colour: '#1f2328', width: 2.5, points: points.map((p) => [p.at, p[key]]) },
    ...perTopic.map((t, i) => ({ name: t, colour: COLOURS[i], points: points.filter((p) => p.topics?.[t]).map((p) => [p.at, p.topics[t][key]]) })),
  ];
  lineChart($('chart-rate'), series('rate'));
  lineChart($('chart-lag'), series('lag'));
  const legend = $('legend');
  legend.replaceChildren();
  for (const [name, colour] of [['all topics', '#1f2328'], ...perTopic.map((t, i) => [t, COLOURS[i]])]) {
    const span = document.createElement('span');
    const i = document.createElement('i');
    i.style.background = colour;
    span.append(i, document.createTextNode(name));
    legend.append(span);
  }
}

function renderTopics(view, topics) {
  const tbody = $('topics').tBodies[0];
  tbody.replaceChildren();
  $('topics-count').textContent = `(${topics.length})`;
  for (const t of topics) {
    const tr = document.createElement('tr');
    tr.dataset.topic = t.source;
    cell(tr, t.source);
    cell(tr, t.target);
    cell(tr, String(t.partitions));
    cell(tr, bar(t.lag?.backfillPercent ?? 0));
    cell(tr, t.lag ? `${n(t.lag.mirrored)} / ${n(t.lag.total)}` : '—');
    cell(tr, t.lag ? n(t.lag.lag) : '—');
    tbody.append(tr);
  }
}

async function groupAction(runId, group, kind) {
  const what = kind === 'cutover' ? `Cut group "${group}" over to Pulsar? Its Kafka consumers must be stopped.` : `Roll group "${group}" back to Kafka? Its Pulsar consumers must be stopped.`;
  if (!confirm(what)) return;
  try {
    await api('POST', `/api/v1/runs/${encodeURIComponent(runId)}/groups/${encodeURIComponent(group)}/${kind}`);
  } catch (err) {
    alert(err.message);
  }
  void refresh();
}

function renderGroups(view) {
  const tbody = $('groups').tBodies[0];
  tbody.replaceChildren();
  for (const g of view.groups) {
    const tr = document.createElement('tr');
    tr.dataset.group = g.group;
    cell(tr, g.group);
    cell(tr, (g.state?.phase ?? 'not synced') + (g.state?.note ? ` (${g.state.note})` : ''));
    cell(tr, String(g.state?.partitions?.length ?? 0));
    const op = g.operation;
    cell(tr, op ? `${op.kind} ${op.status}${op.error ? `: ${op.error.code}` : ''}` : '');
    const buttons = document.createElement('span');
    for (const kind of ['cutover', 'rollback']) {
      const b = document.createElement('button');
      b.textContent = kind === 'cutover' ? 'Cut over' : 'Roll back';
      b.dataset.groupAction = kind;
      b.className = kind === 'rollback' ? 'danger' : '';
      b.disabled = view.run.status === 'cancelled' || (kind === 'cutover' && g.state?.phase === 'cut-over') || (kind === 'rollback' && g.state?.phase !== 'cut-over');
      b.addEventListener('click', () => void groupAction(view.run.id, g.group, kind));
      buttons.append(b, document.createTextNode(' '));
    }
    cell(tr, buttons);
    tbody.append(tr);
  }
}

function renderVerify(view) {
  const box = $('verify');
  box.replaceChildren();
  const v = view.verifications.at(-1);
  const p = document.createElement('p');
  p.id = 'verify-result';
  if (!v) p.textContent = 'not verified yet';
  else if (v.status === 'running') p.textContent = `verification ${v.id} running…`;
  else if (v.status === 'failed') p.textContent = `verification ${v.id} failed: ${v.error?.code}: ${v.error?.message}`;
  else {
    const topics = v.report?.topics ?? [];
    const matched = topics.reduce((s, t) => s + (t.matched ?? 0), 0);
    p.textContent = `verification ${v.id}: ${v.identical ? 'IDENTICAL' : 'DIVERGENT'} — ${n(matched)} records matched on ${topics.length} topic(s), ${n(v.report?.divergenceCount ?? 0)} divergence(s)`;
    p.className = v.identical ? '' : 'error';
  }
  box.append(p);
}

async function refresh() {
  clearTimeout(timer);
  try {
    const runs = await api('GET', '/api/v1/runs');
    $('login').hidden = true;
    $('app').hidden = false;
    if (!selected || !runs.some((r) => r.id === selected)) selected = runs[0]?.id ?? null;
    renderRuns(runs);
    $('no-run').hidden = selected !== null;
    $('run-view').hidden = selected === null;
    if (selected) {
      const id = encodeURIComponent(selected);
      const [view, topics, history] = await Promise.all([api('GET', `/api/v1/runs/${id}`), api('GET', `/api/v1/runs/${id}/topics`), api('GET', `/api/v1/runs/${id}/history`)]);
      $('run-title').textContent = `Run ${view.run.name ? `${view.run.name} (${view.run.id})` : view.run.id}`;
      $('run-status').textContent = view.run.status;
      $('run-status').className = `badge ${view.run.status}`;
      $('run-error').textContent = view.run.error ? `${view.run.error.code}: ${view.run.error.message}` : '';
      for (const b of document.querySelectorAll('[data-run-action]')) {
        const a = b.dataset.runAction;
        const s = view.run.status;
        b.disabled = a === 'pause' ? !(s === 'active' || s === 'live') : a === 'resume' ? !(s === 'paused' || s === 'failed') : s === 'cancelled';
      }
      renderSteps(view.run);
      renderCharts(history.points);
      renderTopics(view, topics.topics);
      renderGroups(view);
      renderVerify(view);
    }
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    if (err.message === 'unauthorised') return;
    $('updated').textContent = `update failed: ${err.message}`;
  }
  timer = setTimeout(() => void refresh(), 2000);
}

for (const b of document.querySelectorAll('[data-run-action]')) {
  b.addEventListener('click', async () => {
    const action = b.dataset.runAction;
    if (!confirm(`${action[0].toUpperCase()}${action.slice(1)} run ${selected}?`)) return;
    try {
      await api('POST', `/api/v1/runs/${encodeURIComponent(selected)}/${action}`);
    } catch (err) {
      alert(err.message);
    }
    void refresh();
  });
}

$('verify-now').addEventListener('click', async () => {
  if (!selected || !confirm(`Verify run ${selected} now (reads every record of its topics on both sides)?`)) return;
  try {
    await api('POST', `/api/v1/runs/${encodeURIComponent(selected)}/verify`);
  } catch (err) {
    alert(err.message);
  }
  void refresh();
});

void refresh();
