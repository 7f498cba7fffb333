import { html, type Html } from '../html.js';
import type { Product } from '../products.js';

/** A drawn tea tin (or kettle) in the product's colours: no image files, no external requests. */
export function productArt(product: Product, size: 'tile' | 'hero' = 'tile'): Html {
  const [ink, paper] = product.colors;
  const initials = product.name.split(' ').map((word) => word[0]).join('').slice(0, 2);
  const body =
    product.category === 'Teaware'
      ? html`<path d="M58 70 q-22 0 -22 -22 v-6 h60 v6 q0 22 -22 22z" fill="${ink}"/><path d="M96 46 q18 -4 22 -24" stroke="${ink}" stroke-width="5" fill="none" stroke-linecap="round"/><rect x="56" y="32" width="20" height="8" rx="3" fill="${ink}"/><rect x="62" y="26" width="8" height="7" rx="2" fill="${ink}"/>`
      : html`<rect x="44" y="30" width="52" height="62" rx="6" fill="${ink}"/><rect x="40" y="24" width="60" height="12" rx="4" fill="${ink}" opacity=".8"/><rect x="50" y="46" width="40" height="30" rx="4" fill="${paper}"/><text x="70" y="67" text-anchor="middle" font-family="Georgia, serif" font-size="16" font-weight="700" fill="${ink}">${initials}</text>`;
  return html`<svg class="art art-${size}" viewBox="0 0 140 110" role="img" aria-label="${product.name}">
    <rect width="140" height="110" fill="${paper}"/>
    <circle cx="118" cy="18" r="30" fill="${ink}" opacity=".08"/>
    <path d="M14 96 q16 -30 38 -22 q-14 4 -20 22z" fill="${ink}" opacity=".25"/>
    ${body}
  </svg>`;
}
