// The clinician page: wires the tabs, the three ways to describe a patient (worked example,
// form, raw JSON), the answer and the source view. Same public API as any client.

import { el, clear } from './dom.js';
import { ApiError, assess, getJson, setToken } from './api.js';
import { clearErrors, readForm, showErrors } from './form.js';
import { renderAssessment } from './render.js';
import { applyFilter, loadKnowledge } from './knowledge.js';

const $ = id => document.getElementById(id);
let examples = [];

// --- tabs (WAI-ARIA tabs pattern: arrow keys, Home, End) ---
const tabs = [...document.querySelectorAll('[role="tab"]')];

function selectTab(tab, focus) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
  if (tab.id === 'tab-knowledge') loadKnowledge().catch(() => {});
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab, false));
  tab.addEventListener('keydown', event => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: tabs[(i + 1) % tabs.length], ArrowLeft: tabs[(i - 1 + tabs.length) % tabs.length], Home: tabs[0], End: tabs[tabs.length - 1] }[event.key];
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  });
}

// --- running an assessment ---
async function run(body, form, errorBox) {
  const status = $('result-status');
  clearErrors($('assess-form'), $('form-errors'));
  clearErrors(null, $('json-errors'));
  status.textContent = 'Assessing…';
  setToken($('bearer-token').value);
  try {
    const answer = await assess(body);
    status.textContent = '';
    renderAssessment($('result-body'), answer);
    $('result-heading').focus();
  } catch (error) {
    clear($('result-body'));
    if (error instanceof ApiError) {
      status.textContent = 'The service did not assess this request: see the message beside the input.';
      const folded = errorBox.closest('details');
      if (folded) folded.open = true;
      showErrors(form, errorBox, error.problem, error.status);
    } else {
      status.textContent = `The service could not be reached: ${error.message}`;
    }
  }
}

$('result-heading').setAttribute('tabindex', '-1');

$('assess-form').addEventListener('submit', event => {
  event.preventDefault();
  run(readForm($('assess-form')), $('assess-form'), $('form-errors'));
});

$('form-to-json').addEventListener('click', () => {
  $('raw-json').value = JSON.stringify(readForm($('assess-form')), null, 2);
  $('advanced').open = true;
  $('raw-json').focus();
});

$('run-json').addEventListener('click', () => {
  // Sent as typed: the API names malformed JSON by its position.
  run($('raw-json').value, null, $('json-errors'));
});

function selectedExample() {
  return examples.find(e => e.id === $('example-select').value);
}

$('example-select').addEventListener('change', () => {
  const example = selectedExample();
  $('example-description').textContent = example ? example.description : '';
  if (example) $('raw-json').value = JSON.stringify(example.request, null, 2);
});

$('run-example').addEventListener('click', () => {
  const example = selectedExample();
  if (example) run(example.request, null, $('json-errors'));
});

async function loadExamples() {
  const select = $('example-select');
  try {
    examples = await getJson('/api/v1/examples');
    clear(select).append(...examples.map(e => el('option', { value: e.id }, e.title)));
    select.dispatchEvent(new Event('change'));
  } catch (error) {
    clear(select).append(el('option', { value: '' }, 'Examples could not be loaded'));
  }
}

// --- the source view: a citation opens its entry from GET /api/v1/knowledge/sources/{id} ---
document.addEventListener('click', async event => {
  const link = event.target instanceof Element ? event.target.closest('a[data-source]') : null;
  if (!link) return;
  event.preventDefault();
  const dialog = $('source-dialog');
  const body = clear($('source-body'));
  $('source-title').textContent = link.dataset.source;
  body.append(el('p', { class: 'hint' }, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  try {
    const s = await getJson(link.getAttribute('href'));
    $('source-title').textContent = s.title;
    clear(body).append(
      el('dl', { class: 'facts' },
        el('dt', {}, 'Id'), el('dd', { id: 'source-id' }, s.id),
        s.authors ? [el('dt', {}, 'Authors'), el('dd', {}, s.authors)] : [],
        s.source ? [el('dt', {}, 'Published in'), el('dd', {}, s.source)] : [],
        s.year ? [el('dt', {}, 'Year'), el('dd', {}, String(s.year))] : [],
        s.kind ? [el('dt', {}, 'Kind'), el('dd', {}, s.kind)] : [],
        s.doi ? [el('dt', {}, 'DOI'), el('dd', {}, s.doi)] : [],
        s.url ? [el('dt', {}, 'Link'), el('dd', {}, el('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank', id: 'source-url' }, s.url))] : []),
      s.note ? el('p', {}, s.note) : '');
  } catch (error) {
    clear(body).append(el('p', {}, `This source could not be loaded: ${error.message}`));
  }
});

$('source-close').addEventListener('click', () => $('source-dialog').close());

// The token is read as it is typed, so knowledge calls carry it too where a site requires one.
$('bearer-token').addEventListener('input', event => setToken(event.target.value));

// --- knowledge base ---
$('kb-filter').addEventListener('input', event => applyFilter(event.target.value));

getJson('/api/v1/knowledge').then(kb => { $('kb-version').textContent = `${kb.version} (${kb.reviewStatus})`; }).catch(() => { $('kb-version').textContent = 'unavailable'; });
loadExamples();
document.documentElement.dataset.ready = 'true';
