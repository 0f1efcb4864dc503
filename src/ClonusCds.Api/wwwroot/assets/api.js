// Calls to the public REST API (docs/api.md). The bearer token lives only in this module's
// memory: never in storage, never in the URL.

let bearerToken = '';

/** Sets the token sent on every call (empty: none). */
export function setToken(token) {
  bearerToken = (token || '').trim();
}

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  if (bearerToken) h.Authorization = `Bearer ${bearerToken}`;
  return h;
}

/** An API answer that is not 2xx: status plus the ProblemDetails body when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function read(response) {
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** GET a JSON route. */
export async function getJson(path) {
  return read(await fetch(path, { headers: headers() }));
}

/** POST /api/v1/assessments with a body given as text (sent as is) or an object. */
export async function assess(body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return read(await fetch('/api/v1/assessments', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: text,
  }));
}
