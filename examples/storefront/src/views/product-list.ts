import { formatMoney } from '../cart.js';
import { html, type Html } from '../html.js';
import { categories, CURRENCY, PROMOTION, type Product } from '../products.js';
import { productArt } from './product-art.js';

export interface ProductListView {
  readonly title: string;
  readonly products: readonly Product[];
  readonly query?: string;
  readonly category?: string;
  readonly showPromotion: boolean;
}

export function renderProductList(view: ProductListView): Html {
  return html`
    ${view.showPromotion ? renderPromotion() : ''}
    <section class="toolbar">
      <nav class="chips" aria-label="Categories">
        <a class="chip ${view.category ? '' : 'active'}" href="#/">All</a>
        ${categories().map((c) => html`<a class="chip ${c === view.category ? 'active' : ''}" href="#/category/${encodeURIComponent(c)}">${c}</a>`)}
      </nav>
      <form class="search" data-action="search" role="search">
        <input name="q" type="search" placeholder="Search teas…" value="${view.query ?? ''}" aria-label="Search products">
        <button type="submit">Search</button>
      </form>
    </section>
    <h1 class="page-title">${view.title}</h1>
    ${view.products.length === 0 ? html`<p class="empty">Nothing matches “${view.query}”. Try “green” or “vanilla”.</p>` : ''}
    <ul class="grid">
      ${view.products.map(
        (product) => html`<li class="card">
          <a href="#/product/${product.id}" data-product="${product.id}">${productArt(product)}</a>
          <div class="card-body">
            <span class="eyebrow">${product.category}</span>
            <a class="card-title" href="#/product/${product.id}">${product.name}</a>
            <div class="card-foot">
              <span class="price">${formatMoney(product.price, CURRENCY)}</span>
              <button class="btn small" data-action="add" data-product="${product.id}">Add</button>
            </div>
          </div>
        </li>`,
      )}
    </ul>`;
}

function renderPromotion(): Html {
  return html`<a class="promo" href="#/cart" data-action="promotion">
    <div>
      <span class="eyebrow light">${PROMOTION.name}</span>
      <strong>${PROMOTION.percentOff}% off every tin this week</strong>
      <span>Tap to apply code <code>${PROMOTION.coupon}</code> to your cart</span>
    </div>
    <span class="promo-cta">Apply ›</span>
  </a>`;
}
