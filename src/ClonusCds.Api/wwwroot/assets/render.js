// Renders an assessment (docs/api.md, "Response") the way a clinician reads it: urgency, the
// call and its differentials, what to do first, why, what to avoid, what is missing; the rule
// trace folded away. Everything goes through dom.js (textContent only).

import { el, append, clear, words, sentence } from './dom.js';

const ETIOLOGY = {
  serotonin_toxicity: 'Serotonin toxicity',
  other_drug_toxicity: 'Other drug toxicity',
  umn_lesion: 'Upper-motor-neuron lesion',
  seizure_mimic: 'Seizure mimic',
  metabolic: 'Metabolic',
  normal_variant: 'Normal variant',
  indeterminate_needs_evaluation: 'Indeterminate: needs evaluation',
};

const TIERS = [
  ['firstLine', 'First line'],
  ['adjunct', 'Adjunct'],
  ['refractory', 'Refractory'],
  ['monitoring', 'Monitoring'],
  ['workup', 'Work-up'],
];

const CAUTION_KIND = {
  source_conflict: 'Sources disagree',
  evidence_quality: 'Evidence quality',
  patient_factor: 'This patient',
};

/** "serotonin_toxicity" → "Serotonin toxicity" (unknown values in plain words). */
export function etiologyName(value) {
  return ETIOLOGY[value] || sentence(value);
}

/** A summary list item may be text or an object: take its plain words. */
function itemText(item) {
  if (item === null || item === undefined) return '';
  if (typeof item !== 'object') return String(item);
  if (item.field && item.reason) return `${item.field}: ${item.reason}`;
  return item.title || item.text || item.headline || item.reason || item.field || item.code || JSON.stringify(item);
}

function section(title, id, ...children) {
  return el('section', { class: 'answer-section', 'aria-labelledby': id }, el('h3', { id }, title), ...children);
}

/** Citation ids as links to the source route; the page opens them in its source view. */
export function citationLinks(ids) {
  if (!ids || ids.length === 0) return null;
  return el('p', { class: 'citations' }, 'Sources: ',
    ids.flatMap((id, i) => [i > 0 ? ', ' : null,
      el('a', { href: `/api/v1/knowledge/sources/${encodeURIComponent(id)}`, class: 'cite', 'data-source': id }, id)]));
}

function cautionList(cautions) {
  if (!cautions || cautions.length === 0) return null;
  return el('ul', { class: 'cautions' }, cautions.map(c =>
    el('li', { class: `caution caution-${c.kind || 'other'}` },
      el('span', { class: 'caution-kind' }, CAUTION_KIND[c.kind] || sentence(c.kind) || 'Caution'), ' ', c.text,
      citationLinks(c.citations))));
}

/** One recommendation or pitfall item. */
export function itemCard(item, pitfall) {
  return el('li', { class: pitfall ? 'item pitfall' : 'item', 'data-code': item.code },
    el('h4', { class: 'item-title' }, item.title || sentence(item.code)),
    el('p', { class: 'item-text' }, item.text),
    item.dosing ? el('p', { class: 'dosing' }, el('strong', {}, 'Dosing: '), item.dosing) : null,
    item.because ? el('p', { class: 'because' }, el('strong', {}, 'Why here: '), item.because) : null,
    item.servesDifferential ? el('p', { class: 'serves' }, el('strong', {}, 'Safety action for: '), sentence(item.servesDifferential), ' (not excluded)') : null,
    cautionList(item.cautions),
    item.rationale ? el('details', { class: 'rationale' }, el('summary', {}, 'Rationale'), el('p', {}, item.rationale)) : null,
    citationLinks(item.citations),
    el('p', { class: 'item-code' }, item.code, item.firedBy ? ` · rule ${item.firedBy}` : ''));
}

function urgencyBadge(urgency) {
  const value = ['routine', 'urgent', 'emergency'].includes(urgency) ? urgency : 'unknown';
  return el('p', { class: 'urgency' }, el('span', { class: 'urgency-label' }, 'Urgency '),
    el('strong', { id: 'urgency-badge', class: `badge badge-${value}` }, sentence(urgency || 'unknown')));
}

function summaryBlock(summary) {
  if (!summary || typeof summary !== 'object') return null;
  const list = (title, items, cls) => items && items.length
    ? el('div', { class: cls }, el('h4', {}, title), el('ul', {}, items.map(i => el('li', {}, itemText(i)))))
    : null;
  return el('div', { class: 'summary', id: 'summary' },
    summary.headline ? el('p', { class: 'headline', id: 'summary-headline' }, summary.headline) : null,
    list('Do first', summary.firstActions, 'summary-first'),
    list('Key pitfalls', summary.keyPitfalls, 'summary-pitfalls'),
    list('Missing', summary.missing, 'summary-missing'),
    !summary.headline && summary.text ? el('p', {}, summary.text) : null);
}

function etiologyBlock(etiology) {
  if (!etiology) return null;
  const differentials = etiology.differentials || [];
  return section('Etiology', 'h-etiology',
    el('p', { class: 'etiology', id: 'etiology' },
      el('strong', {}, etiologyName(etiology.primary)),
      etiology.subtype ? [' — ', el('span', { class: 'subtype' }, sentence(etiology.subtype))] : null),
    etiology.rationale && etiology.rationale.length ? el('ul', { class: 'rationale-list' }, etiology.rationale.map(r => el('li', {}, r))) : null,
    differentials.length ? [el('h4', {}, 'Differentials'),
      el('ul', { class: 'differentials', id: 'differentials' }, differentials.map(d =>
        el('li', { class: d.notExcluded ? 'differential not-excluded' : 'differential' },
          el('strong', {}, d.subtype ? sentence(d.subtype) : etiologyName(d.etiology)),
          d.notExcluded ? el('span', { class: 'tag tag-danger' }, 'not excluded') : null,
          d.reason ? [': ', d.reason] : null)))] : null);
}

function serotoninBlock(st) {
  if (!st) return null;
  const yesNo = v => (v === true ? 'met' : v === false ? 'not met' : 'undetermined');
  const agents = st.serotonergicAgents || [];
  return section('Serotonin toxicity (Hunter criteria)', 'h-hunter',
    el('dl', { class: 'facts' },
      el('dt', {}, 'Hunter criteria'), el('dd', { id: 'hunter-met' }, yesNo(st.hunterCriteriaMet)),
      el('dt', {}, 'Rules met'), el('dd', {}, (st.hunterRulesFired || []).join(', ') || 'none'),
      st.hunterRulesUndetermined && st.hunterRulesUndetermined.length ? [el('dt', {}, 'Undetermined'), el('dd', {}, st.hunterRulesUndetermined.join(', '))] : null,
      el('dt', {}, 'Severity'), el('dd', {}, st.severity ? sentence(st.severity) : 'not determined')),
    agents.length ? el('div', { class: 'table-scroll' }, el('table', { class: 'agents' },
      el('caption', {}, 'Serotonergic agents on board'),
      el('thead', {}, el('tr', {}, ['Agent', 'Class', 'Risk tier', 'Evidence tier', 'Status', 'Matched by'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, agents.map(a => el('tr', {},
        el('td', {}, a.name), el('td', {}, words(a.class)), el('td', {}, words(a.riskTier)),
        el('td', {}, words(a.evidenceTier)), el('td', {}, words(a.status)), el('td', {}, words(a.matchedBy))))))) : null);
}

function recommendationsBlock(recommendations) {
  const groups = TIERS.map(([key, title]) => {
    const items = (recommendations && recommendations[key]) || [];
    return items.length
      ? el('div', { class: `tier tier-${key}`, id: `tier-${key}` }, el('h4', { class: 'tier-title' }, `${title} (${items.length})`),
        el('ul', { class: 'items' }, items.map(i => itemCard(i, false))))
      : null;
  }).filter(Boolean);
  return section('Recommendations', 'h-recs', groups.length ? groups : el('p', {}, 'No recommendations.'));
}

function traceBlock(trace) {
  if (!trace || trace.length === 0) return null;
  return el('details', { class: 'trace', id: 'trace' },
    el('summary', {}, `Rule trace (${trace.length} steps)`),
    el('div', { class: 'table-scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Rule', 'Outcome', 'Detail', 'Inputs'].map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, trace.map(t => el('tr', { class: `outcome-${t.outcome}` },
        el('td', {}, t.rule), el('td', {}, words(t.outcome)), el('td', {}, t.detail),
        el('td', {}, t.inputs && t.inputs.length ? el('ul', {}, t.inputs.map(i => el('li', {}, i))) : '')))))));
}

/** Renders a whole assessment into container. */
export function renderAssessment(container, answer) {
  clear(container);
  const pitfalls = answer.pitfalls || [];
  const missing = answer.missingData || [];
  const unrecognized = answer.unrecognizedInputs || [];
  const citations = answer.citations || [];
  append(container, [
    answer.disclaimer ? el('p', { class: 'disclaimer', id: 'disclaimer' }, answer.disclaimer) : null,
    urgencyBadge(answer.urgency),
    summaryBlock(answer.summary),
    etiologyBlock(answer.etiology),
    recommendationsBlock(answer.recommendations),
    pitfalls.length ? section(`Pitfalls (${pitfalls.length})`, 'h-pitfalls', el('ul', { class: 'items', id: 'pitfalls' }, pitfalls.map(p => itemCard(p, true)))) : null,
    missing.length ? section('Missing data', 'h-missing', el('ul', { id: 'missing' }, missing.map(m => el('li', {}, el('code', {}, m.field), ': ', m.reason)))) : null,
    unrecognized.length ? section('Unrecognised inputs', 'h-unrecognized', el('ul', { id: 'unrecognized' }, unrecognized.map(u =>
      el('li', {}, el('code', {}, u.path), ` (${words(u.kind)}) “`, u.value ?? '', '”: ', u.reason)))) : null,
    serotoninBlock(answer.serotoninToxicity),
    citations.length ? section('Sources cited', 'h-citations', el('ol', { class: 'bibliography' }, citations.map(c =>
      el('li', { id: `cite-${c.id}` }, el('a', { href: `/api/v1/knowledge/sources/${encodeURIComponent(c.id)}`, class: 'cite', 'data-source': c.id }, c.id), ' ',
        c.title, c.source ? ` — ${c.source}` : '', c.year ? ` (${c.year})` : '',
        c.url ? [' ', el('a', { href: c.url, rel: 'noopener noreferrer', target: '_blank', class: 'external' }, 'link')] : null)))) : null,
    traceBlock(answer.trace),
    el('p', { class: 'meta' }, `Assessment ${answer.assessmentId || ''} · knowledge base ${answer.knowledgeBaseVersion || ''}`)]);
}
