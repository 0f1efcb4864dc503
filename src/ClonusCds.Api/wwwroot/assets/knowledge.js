// The knowledge-base tab: recommendations and pitfalls, sources and serotonergic agents from
// GET /api/v1/knowledge/*, with one filter over all three.

import { el, clear, words, sentence } from './dom.js';
import { getJson } from './api.js';
import { itemCard } from './render.js';

let loaded = null;

function sourceItem(s) {
  return el('li', { class: 'kb-item', 'data-search': [s.id, s.title, s.authors, s.source, s.year, s.note, s.doi].join(' ').toLowerCase() },
    el('h4', {}, el('a', { href: `/api/v1/knowledge/sources/${encodeURIComponent(s.id)}`, class: 'cite', 'data-source': s.id }, s.id), ' ', s.title),
    el('p', {}, [s.authors, s.source, s.year].filter(Boolean).join(' · ')),
    s.url ? el('p', {}, el('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank', class: 'external' }, s.url)) : null,
    s.note ? el('p', { class: 'hint' }, s.note) : null);
}

function agentItem(a) {
  return el('li', { class: 'kb-item', 'data-search': [a.name, a.rxcui, a.class, a.riskTier, a.evidenceTier, ...(a.brandNames || []), ...(a.synonyms || [])].join(' ').toLowerCase() },
    el('h4', {}, a.name, a.maoInhibitor ? el('span', { class: 'tag tag-danger' }, 'MAO inhibitor') : null),
    el('p', {}, `${words(a.class)} · risk tier ${words(a.riskTier)} · evidence ${words(a.evidenceTier)}`,
      a.rxcui ? ` · RxCUI ${a.rxcui}` : '', a.washoutDays ? ` · washout ${a.washoutDays} days` : ''),
    a.brandNames && a.brandNames.length ? el('p', { class: 'hint' }, `Brands: ${a.brandNames.join(', ')}`) : null,
    a.note ? el('p', { class: 'hint' }, a.note) : null);
}

function recommendationItem(r) {
  const card = itemCard(r, r.kind === 'pitfall');
  card.classList.add('kb-item');
  card.dataset.search = [r.code, r.kind, r.tier, r.title, r.text, r.dosing, ...(r.citations || [])].join(' ').toLowerCase();
  card.prepend(el('p', { class: 'kb-kind' }, r.kind === 'pitfall' ? 'Pitfall' : `Recommendation · ${sentence(r.tier) || 'any tier'}`));
  return card;
}

/** Loads the three lists once. */
export async function loadKnowledge() {
  if (loaded) return loaded;
  loaded = (async () => {
    const status = document.getElementById('kb-status');
    status.textContent = 'Loading the knowledge base…';
    try {
      const [recs, sources, agents] = await Promise.all([
        getJson('/api/v1/knowledge/recommendations'),
        getJson('/api/v1/knowledge/sources'),
        getJson('/api/v1/knowledge/serotonergic-agents'),
      ]);
      clear(document.getElementById('kb-recs')).append(...recs.map(recommendationItem));
      clear(document.getElementById('kb-sources')).append(...sources.map(sourceItem));
      clear(document.getElementById('kb-agents')).append(...agents.map(agentItem));
      applyFilter(document.getElementById('kb-filter').value);
    } catch (error) {
      loaded = null;
      status.textContent = `The knowledge base could not be loaded: ${error.message}`;
      throw error;
    }
  })();
  return loaded;
}

/** Shows the items containing every word of the query. */
export function applyFilter(query) {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  for (const [list, count] of [['kb-recs', 'kb-recs-count'], ['kb-sources', 'kb-sources-count'], ['kb-agents', 'kb-agents-count']]) {
    const items = document.getElementById(list).children;
    let visible = 0;
    for (const item of items) {
      const match = terms.every(t => (item.dataset.search || '').includes(t));
      item.hidden = !match;
      if (match) visible++;
    }
    document.getElementById(count).textContent = `(${visible} of ${items.length})`;
    shown += visible;
    total += items.length;
  }
  document.getElementById('kb-status').textContent = terms.length ? `${shown} of ${total} entries match “${query.trim()}”.` : `${total} entries.`;
}
