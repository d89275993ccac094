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
