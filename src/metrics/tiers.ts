/**
 * Amount billed per interval for one price and quantity: per-unit (with `transform_quantity`), or tiered in
 * `graduated` or `volume` mode, with per-unit and flat amounts. Result in minor units, exact.
 */
import type { PriceInput, PriceTier } from './types.js';
import { add, fromInt, mul, parseDecimal, ZERO, type Rational } from './rational.js';

function decimalOr(decimal: string | null | undefined, int: number | null | undefined): Rational {
  if (decimal !== undefined && decimal !== null && decimal !== '') return parseDecimal(decimal);
  return int === undefined || int === null ? ZERO : fromInt(int);
}

const tierUnit = (t: PriceTier): Rational => decimalOr(t.unit_amount_decimal, t.unit_amount);
const tierFlat = (t: PriceTier): Rational => decimalOr(t.flat_amount_decimal, t.flat_amount);
const tierCap = (t: PriceTier): number => (t.up_to === null || t.up_to === 'inf' ? Infinity : t.up_to);

/** The entry of a currency-keyed map for `currency`, whatever the case of either. */
export function forCurrency<T>(options: Record<string, T> | undefined, currency: string): T | undefined {
  if (!options) return undefined;
  const want = currency.toUpperCase();
  for (const [key, value] of Object.entries(options)) if (key.toUpperCase() === want) return value;
  return undefined;
}

/**
 * The price as billed in `currency`: itself in its own currency, else with the amounts of its
 * `currency_options` entry for that currency (Stripe bills a subscription in another currency from there).
 * Throws when the price has no amounts in that currency.
 */
export function priceInCurrency(price: PriceInput, currency: string): PriceInput {
  if (price.currency.toUpperCase() === currency.toUpperCase()) return price;
  const option = forCurrency(price.currency_options, currency);
  if (!option) throw new RangeError(`price ${price.id} is in ${price.currency}, subscription in ${currency}, and it has no ${currency} currency option`);
  const out: PriceInput = { ...price, currency: currency.toUpperCase(), unit_amount: option.unit_amount ?? null, unit_amount_decimal: option.unit_amount_decimal ?? null };
  if (option.tiers) out.tiers = option.tiers;
  else delete out.tiers;
  return out;
}

/** Quantity after Stripe's `transform_quantity` (e.g. bill per 10 seats, rounding up or down). */
export function billedQuantity(price: PriceInput, quantity: number): number {
  const tq = price.transform_quantity;
  if (!tq) return quantity;
  if (!(tq.divide_by > 0)) throw new RangeError(`transform_quantity.divide_by must be > 0 on price ${price.id}`);
  const q = quantity / tq.divide_by;
  return tq.round === 'up' ? Math.ceil(q) : Math.floor(q);
}

/**
 * Amount for `quantity` units of `price` for one billing interval (before discounts, before normalisation).
 * Quantity 0 bills nothing, even on a tier with a flat amount: with no units there is no recurring revenue.
 */
export function priceAmount(price: PriceInput, quantity: number): Rational {
  if (!Number.isInteger(quantity) || quantity < 0) throw new RangeError(`quantity must be a non-negative integer on price ${price.id}`);
  if (quantity === 0) return ZERO;
  if ((price.billing_scheme ?? 'per_unit') === 'per_unit') {
    return mul(decimalOr(price.unit_amount_decimal, price.unit_amount), fromInt(billedQuantity(price, quantity)));
  }
  const tiers = price.tiers ?? [];
  if (tiers.length === 0) throw new RangeError(`tiered price ${price.id} has no tiers`);
  return price.tiers_mode === 'volume' ? volumeAmount(tiers, quantity) : graduatedAmount(tiers, quantity);
}

/** Volume: the whole quantity is priced at the single tier it falls into. */
function volumeAmount(tiers: PriceTier[], quantity: number): Rational {
  const tier = tiers.find((t) => quantity <= tierCap(t)) ?? tiers[tiers.length - 1];
  if (!tier) return ZERO;
  return add(mul(tierUnit(tier), fromInt(quantity)), tierFlat(tier));
}

/** Graduated: each tier prices the units that fall inside it; a tier's flat amount applies once it is reached. */
function graduatedAmount(tiers: PriceTier[], quantity: number): Rational {
  let total = ZERO;
  let lower = 0;
  for (const tier of tiers) {
    if (quantity <= lower) break;
    const upper = Math.min(quantity, tierCap(tier));
    const units = upper - lower;
    if (units > 0) total = add(total, add(mul(tierUnit(tier), fromInt(units)), tierFlat(tier)));
    lower = tierCap(tier);
  }
  return total;
}
