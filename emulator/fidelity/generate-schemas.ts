// Builds JSON Schemas for the Stripe objects the emulator serves, straight from the installed SDK's
// TypeScript types, so fidelity tests compare against Stripe's own declarations rather than our guesses.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as tsj from 'ts-json-schema-generator';

export const SCHEMA_TYPES = [
  'EmAccount', 'EmBalanceTransaction', 'EmCharge', 'EmCoupon', 'EmCustomer', 'EmDispute', 'EmEvent',
  'EmInvoice', 'EmPrice', 'EmProduct', 'EmRefund', 'EmSubscription', 'EmList',
] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

// Only these SDK files are described in full. Anything else (Issuing, Treasury, V2, payment intents…)
// is reachable through expandable unions but never served by the emulator, so it becomes "any":
// that keeps generation to a few seconds and avoids the SDK's duplicate short names.
const DESCRIBED_FILES = new Set([
  'Accounts', 'BalanceTransactions', 'Charges', 'Coupons', 'Customers', 'Discounts', 'Disputes', 'Events',
  'Invoices', 'InvoiceLineItems', 'Prices', 'Products', 'Plans', 'Refunds', 'Subscriptions',
  'SubscriptionItems', 'TaxRates', 'PromotionCodes', 'shared', 'lib',
].map((name) => `${name}.d.ts`));

const here = path.dirname(fileURLToPath(import.meta.url));

export type JsonSchema = Record<string, unknown>;

export function generateStripeSchemas(): Record<SchemaType, JsonSchema> {
  const entry = path.join(here, 'stripe-types.ts');
  const program = ts.createProgram([entry], {
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  });
  const checker = program.getTypeChecker();

  const pruner = {
    supportsNode(node: ts.Node): boolean {
      let name: ts.Node | undefined;
      if (ts.isTypeReferenceNode(node)) name = node.typeName;
      else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
      if (!name) return false;
      let symbol = checker.getSymbolAtLocation(name);
      if (!symbol) return false;
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const file = symbol.declarations?.[0]?.getSourceFile().fileName;
      const marker = '/node_modules/stripe/esm/';
      const at = file?.indexOf(marker) ?? -1;
      if (!file || at < 0) return false;
      // Relative names, so that e.g. Climate/Products.d.ts is not mistaken for Products.d.ts.
      const relative = file.slice(at + marker.length).replace(/^resources\//, '');
      return !DESCRIBED_FILES.has(relative);
    },
    createType(): tsj.BaseType {
      return new tsj.AnyType();
    },
  };

  const config: tsj.CompletedConfig = {
    ...tsj.DEFAULT_CONFIG,
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
    // Extra properties are a fidelity bug too: the SDK's types list every field Stripe returns.
    additionalProperties: false,
  };
  const formatter = tsj.createFormatter(config);
  const out = {} as Record<SchemaType, JsonSchema>;
  for (const type of SCHEMA_TYPES) {
    // A fresh parser per type: the generator's reference cache is not safe to share across root types.
    const parser = tsj.createParser(program, config, (chain) => {
      chain.addNodeParser(pruner as unknown as tsj.SubNodeParser);
    });
    const generator = new tsj.SchemaGenerator(program, parser, formatter, config);
    out[type] = generator.createSchema(type) as JsonSchema;
  }
  return out;
}
