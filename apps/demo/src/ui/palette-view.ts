import type { ClassInfo } from '../lib/palette';
import { el } from './dom';

/**
 * The class palette: a filter box and one swatch button per class (the synthetic-scene classes
 * first, then a divider, then the rest of ADE20K). Calls `onPick(id)` on click.
 */
export function renderPalette(root: HTMLElement, classes: ClassInfo[], selected: number, onPick: (id: number) => void): { select(id: number): void } {
  const buttons = new Map<number, HTMLButtonElement>();
  const filter = el('input', { type: 'search', placeholder: 'filter classes…', className: 'palette-filter' });
  const list = el('div', { className: 'palette-list' });
  let divider = false;
  for (const c of classes) {
    if (!c.featured && !divider) {
      list.append(el('div', { className: 'palette-divider' }, 'other ADE20K classes (the bundled model has not seen these)'));
      divider = true;
    }
    const b = el(
      'button',
      { className: 'swatch', title: `${c.name} (ADE20K id ${c.id})`, dataset: { id: String(c.id), name: c.name }, onclick: () => onPick(c.id) },
      el('span', { className: 'chip', style: `background: rgb(${c.rgb.join(',')})` }),
      c.name,
    );
    buttons.set(c.id, b);
    list.append(b);
  }
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const [, b] of buttons) b.hidden = q !== '' && !(b.dataset.name ?? '').includes(q);
  });
  root.replaceChildren(filter, list);
  const select = (id: number) => {
    for (const [k, b] of buttons) b.classList.toggle('selected', k === id);
  };
  select(selected);
  return { select };
}
