/** The demo shop's catalog: a small tea shop, enough variety for lists, search and categories. */
export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly brand: string;
  readonly category: string;
  readonly price: number;
  readonly blurb: string;
  /** Two colours for the product's tin illustration. */
  readonly colors: readonly [string, string];
}

export const CURRENCY = 'EUR';

export const PRODUCTS: readonly Product[] = [
  { id: 'p-sencha', sku: 'LK-GRN-001', name: 'Morning Sencha', brand: 'Leaf & Kettle', category: 'Green tea', price: 12.5, blurb: 'Bright, grassy Japanese green tea, steamed within hours of picking.', colors: ['#5b8c5a', '#cfe3c4'] },
  { id: 'p-matcha', sku: 'LK-GRN-002', name: 'Ceremonial Matcha', brand: 'Leaf & Kettle', category: 'Green tea', price: 24, blurb: 'Stone-ground shade-grown tencha with a deep umami finish.', colors: ['#3f7d3a', '#e2f0d5'] },
  { id: 'p-assam', sku: 'LK-BLK-001', name: 'Assam Breakfast', brand: 'Leaf & Kettle', category: 'Black tea', price: 9.9, blurb: 'Malty and strong: the one that stands up to milk.', colors: ['#8a4b2a', '#f1d9c3'] },
  { id: 'p-earl', sku: 'LK-BLK-002', name: 'Earl Grey Blue Flower', brand: 'Leaf & Kettle', category: 'Black tea', price: 11.4, blurb: 'Ceylon black tea, cold-pressed bergamot, cornflower petals.', colors: ['#3d5a80', '#dfe7f2'] },
  { id: 'p-oolong', sku: 'LK-OOL-001', name: 'Milk Oolong', brand: 'Hill Garden', category: 'Oolong', price: 15.8, blurb: 'Rolled Taiwanese oolong, naturally creamy, orchid-sweet.', colors: ['#b5838d', '#f6e4e7'] },
  { id: 'p-chamomile', sku: 'LK-HRB-001', name: 'Golden Chamomile', brand: 'Hill Garden', category: 'Herbal', price: 7.5, blurb: 'Whole Egyptian chamomile flowers, honeyed and calm.', colors: ['#d4a017', '#fbf0c9'] },
  { id: 'p-rooibos', sku: 'LK-HRB-002', name: 'Vanilla Rooibos', brand: 'Hill Garden', category: 'Herbal', price: 8.2, blurb: 'Caffeine-free red bush with Madagascar vanilla.', colors: ['#b4462b', '#f7dcd3'] },
  { id: 'p-kettle', sku: 'LK-ACC-001', name: 'Gooseneck Kettle', brand: 'Leaf & Kettle', category: 'Teaware', price: 49, blurb: 'Precise pour, 0.8 l, brushed steel with a thermometer in the lid.', colors: ['#4a4e69', '#e4e4ee'] },
];

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((product) => product.id === id);
}

export function categories(): string[] {
  return [...new Set(PRODUCTS.map((product) => product.category))];
}

export function searchProducts(query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return PRODUCTS.filter((product) => {
    const text = `${product.name} ${product.category} ${product.brand} ${product.blurb}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** One promotion banner; clicking it applies its coupon. */
export const PROMOTION = { id: 'promo-autumn', name: 'Autumn Steep', creative: 'hero-banner', position: 'home_top', coupon: 'AUTUMN10', percentOff: 10 } as const;

export const COUPONS: Readonly<Record<string, { id: string; percentOff: number }>> = {
  AUTUMN10: { id: 'coupon-autumn10', percentOff: 10 },
  STEEP20: { id: 'coupon-steep20', percentOff: 20 },
};
