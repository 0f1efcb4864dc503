// Small DOM builders. Every piece of data goes in through textContent or an attribute set
// with setAttribute: nothing from the API is ever parsed as HTML.

/** el('p', { class: 'x' }, 'text', child, …): children are strings (as text) or nodes. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends strings (as text nodes) and nodes, skipping null and false. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Removes every child. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** snake_case wire value → words ("lower_limbs" → "lower limbs"). */
export function words(value) {
  return value === null || value === undefined ? '' : String(value).replace(/_/g, ' ');
}

/** First letter upper case. */
export function sentence(value) {
  const text = words(value);
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
