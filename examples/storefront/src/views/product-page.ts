import { formatMoney } from '../cart.js';
import { html, type Html } from '../html.js';
import { CURRENCY, type Product } from '../products.js';
import { productArt } from './product-art.js';

export function renderProductPage(product: Product): Html {
  return html`
    <a class="back" href="#/">‹ All teas</a>
    <article class="product">
      ${productArt(product, 'hero')}
      <div class="product-info">
        <span class="eyebrow">${product.brand} · ${product.category}</span>
        <h1>${product.name}</h1>
        <p class="blurb">${product.blurb}</p>
        <p class="price big">${formatMoney(product.price, CURRENCY)}</p>
        <div class="buy">
          <label>Qty <input id="qty" type="number" min="1" max="20" value="1"></label>
          <button class="btn" data-action="add" data-product="${product.id}" data-qty-from="qty">Add to cart</button>
        </div>
        <p class="muted">SKU ${product.sku} · ships in 1–2 days</p>
      </div>
    </article>`;
}
