// The README's example links and the figures it states for them, from the one checked-in
// list (docs/examples.json; a native test holds it to the README). A browser test opens a
// link by its lab and id, so a link changed in the README changes here and in the test alike.
import { readFileSync } from 'node:fs';

export const examples = JSON.parse(readFileSync(new URL('../../docs/examples.json', import.meta.url), 'utf8'));

// The example `id` of lab `slug`: { id, link (the fragment after '#'), says, figures }.
export function example(slug, id) {
  const lab = examples.labs.find((l) => l.slug === slug);
  const found = lab?.links.find((l) => l.id === id);
  if (!found) throw new Error(`docs/examples.json has no example ${slug}/${id}`);
  return found;
}

// A figure the README states for that example, by name: { name, value (as written), unit }.
export function figure(slug, id, name) {
  const found = example(slug, id).figures.find((f) => f.name === name);
  if (!found) throw new Error(`docs/examples.json has no figure "${name}" for ${slug}/${id}`);
  return found;
}

const SUPERSCRIPT = { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '-' };

// One written number ("0.008", "−14.1", "2.3·10⁷", "10⁻⁷") as the interval of every value
// that is written so: ± half a unit of its last digit; a bare power of ten is an order of
// magnitude (its log rounds to the exponent).
function numberRange(text) {
  const plain = text.trim().replace(/−/g, '-');
  const power = plain.match(/^(?:([-\d.]+)·)?10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)$/);
  if (power) {
    const exponent = Number([...power[2]].map((c) => SUPERSCRIPT[c]).join(''));
    if (power[1] === undefined) return [10 ** (exponent - 0.5), 10 ** (exponent + 0.5)];
    const [lo, hi] = numberRange(power[1]);
    return [lo * 10 ** exponent, hi * 10 ** exponent];
  }
  if (!/^-?\d+(\.\d+)?$/.test(plain)) throw new Error(`"${text}" is not a written number`);
  const decimals = plain.includes('.') ? plain.split('.')[1].length : 0;
  const half = 0.5 * 10 ** -decimals;
  const value = Number(plain);
  return [value - half, value + half];
}

// The interval a README figure promises, in the units it is written in: "0.008" →
// [0.0075, 0.0085]; "29–38" → [28.5, 38.5]; a written value that is no number throws.
export function writtenRange(value) {
  const [first, last] = value.split('–');
  if (last === undefined) return numberRange(first);
  return [numberRange(first)[0], numberRange(last)[1]];
}

// Asserts that a value the page reports is the README's figure as written. `scale` turns the
// page's value into the figure's units (100 for a fraction written in % or as BLEU; a figure
// with unit '%' is scaled by 100 unless told otherwise).
export function assertFigure(actual, slug, id, name, { scale } = {}) {
  const written = figure(slug, id, name);
  if (typeof actual !== 'number' || !Number.isFinite(actual)) {
    throw new Error(`${slug}/${id} "${name}": the page reports no number (${actual}), the README writes ${written.value}`);
  }
  const inUnits = actual * (scale ?? (written.unit === '%' ? 100 : 1));
  const [lo, hi] = writtenRange(written.value);
  if (!(inUnits >= lo && inUnits <= hi)) {
    throw new Error(`${slug}/${id} "${name}": the page reports ${inUnits}, the README writes ${written.value}${written.unit ?? ''} ([${lo}, ${hi}])`);
  }
}

// A number the page shows in an attribute; a missing or empty one fails (Number('') is 0).
export async function reportedNumber(locator, attribute = 'data-value') {
  const text = await locator.getAttribute(attribute);
  const value = text === null || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`${attribute} is "${text}": the page shows no number`);
  return value;
}
