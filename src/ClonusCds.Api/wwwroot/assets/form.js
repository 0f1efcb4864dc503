// The patient form ↔ a patient context (docs/api.md, "Request"). Each control names its JSON
// path in data-path; an empty control is left out, because absent means unknown.

import { el, clear } from './dom.js';

const CONDITION_CATEGORIES = new Set([
  'stroke', 'multiple_sclerosis', 'spinal_cord_injury', 'spinal_cord_disease', 'traumatic_brain_injury', 'cerebral_palsy',
  'hypoxic_brain_injury', 'encephalopathy', 'hepatic_failure', 'hepatic_encephalopathy', 'chronic_kidney_disease',
  'acute_kidney_injury', 'epilepsy', 'prematurity', 'psychiatric_illness', 'other', 'volume_depletion',
]);

function setPath(target, path, value) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts[parts.length - 1]] = value;
}

function lines(text) {
  return text.split('\n').map(l => l.trim()).filter(l => l.length > 0);
}

function numberOrText(raw) {
  // Sent as a number when it reads as one, else as typed, so the API names the problem
  // (a fraction in an integer field included).
  const n = Number(raw);
  return raw === '' || Number.isNaN(n) ? raw : n;
}

function medications(text) {
  const list = lines(text);
  if (list.length === 1 && list[0].toLowerCase() === 'none') return [];
  return list.map(line => {
    const [name, status, change, days] = line.split('|').map(p => p.trim());
    const med = { name };
    if (status) med.status = status.toLowerCase();
    if (change) med.change = change.toLowerCase().replace(/[\s-]+/g, '_');
    if (days) med.daysSinceChange = numberOrText(days);
    return med;
  });
}

function conditions(text) {
  const list = lines(text);
  if (list.length === 1 && list[0].toLowerCase() === 'none') return [];
  return list.map(line => {
    const key = line.toLowerCase().replace(/[\s-]+/g, '_');
    return CONDITION_CATEGORIES.has(key) ? { category: key } : { display: line };
  });
}

/** The patient context the form describes. */
export function readForm(form) {
  const context = {};
  for (const control of form.querySelectorAll('[data-path]')) {
    const path = control.dataset.path;
    const kind = control.dataset.kind || (control.type === 'number' ? 'number' : 'text');
    let value;
    switch (kind) {
      case 'list':
        value = [...control.querySelectorAll('input:checked')].map(c => c.value);
        if (value.length === 0) value = undefined;
        break;
      case 'bool':
        value = control.value === '' ? undefined : control.value === 'true';
        break;
      case 'medications':
        value = control.value.trim() ? medications(control.value) : undefined;
        break;
      case 'conditions':
        value = control.value.trim() ? conditions(control.value) : undefined;
        break;
      case 'int':
      case 'number':
        // A number input holds '' for text it cannot read: say so rather than send nothing.
        if (control.validity && control.validity.badInput) value = 'not a number';
        else value = control.value === '' ? undefined : numberOrText(control.value);
        break;
      default:
        value = control.value === '' ? undefined : control.value;
    }
    if (value !== undefined) setPath(context, path, value);
  }
  context.clonus ??= {};
  return context;
}

function controlFor(form, path) {
  // medications[2].change → the medications box; clonus.sites[0] → the sites group.
  let probe = path.replace(/^\$\.?/, '');
  while (probe) {
    const control = form.querySelector(`[data-path="${CSS.escape(probe)}"]`);
    if (control) return control;
    const cut = Math.max(probe.lastIndexOf('.'), probe.lastIndexOf('['));
    probe = cut > 0 ? probe.slice(0, cut) : '';
  }
  return null;
}

function plainPath(path) {
  // "medications[1].change" → "medications, line 2: change"
  return path.replace(/^(medications|conditions)\[(\d+)\]\.?/, (_, list, i) => `${list}, line ${Number(i) + 1}${_.endsWith('.') ? ': ' : ''}`);
}

/** Removes every error shown in the form. */
export function clearErrors(form, summary) {
  clear(summary).hidden = true;
  if (!form) return;
  for (const note of form.querySelectorAll('.field-error')) note.remove();
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    const ids = (control.getAttribute('aria-describedby') || '').split(' ').filter(id => id && !id.startsWith('err-'));
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' ')); else control.removeAttribute('aria-describedby');
  }
}

/**
 * Shows a 400 ProblemDetails: each message beside its control when the form has one, and all of
 * them in the summary above the form. Messages are the API's own plain sentences.
 */
export function showErrors(form, summary, problem, status) {
  clearErrors(form, summary);
  const errors = problem.errors || {};
  const items = [];
  let index = 0;
  for (const [path, messages] of Object.entries(errors)) {
    const text = messages.join(' ');
    items.push(el('li', {}, el('strong', {}, plainPath(path) || 'request'), ': ', text));
    const control = form ? controlFor(form, path) : null;
    if (control) {
      const id = `err-${index++}`;
      const note = el('p', { class: 'field-error', id }, text);
      (control.closest('.field') || control).append(note);
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') || ''} ${id}`.trim());
    }
  }
  const heading = status === 401 || status === 403
    ? 'The service needs a bearer token with scope clonus.assess: enter it under "Connection".'
    : (problem.title || `The request failed (HTTP ${status}).`);
  append(summary, heading, items, problem);
  summary.hidden = false;
  const first = form && form.querySelector('[aria-invalid]');
  if (first) first.focus(); else summary.focus();
}

function append(summary, heading, items, problem) {
  summary.setAttribute('tabindex', '-1');
  summary.append(el('p', { class: 'error-title' }, heading));
  if (items.length) summary.append(el('ul', {}, items));
  else if (problem.detail) summary.append(el('p', {}, problem.detail));
}
