// `mowt emulator --port P --business demo|large --seed N`: parses arguments and starts the emulator.
import type { BusinessSize } from './generator/business.js';
import type { EmulatorOptions } from './options.js';

const SIZES: readonly BusinessSize[] = ['demo', 'small', 'large', 'empty'];

export function parseEmulatorArgs(argv: readonly string[]): EmulatorOptions {
  const opts: EmulatorOptions = { port: 12111 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (name: string): number => {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${v}`);
      return Number(v);
    };
    switch (flag) {
      case '--port': opts.port = int('--port'); break;
      case '--seed': opts.seed = int('--seed'); break;
      case '--host': opts.host = value(); break;
      case '--rate-limit': { const v = value(); opts.rateLimitPerSecond = v === 'off' ? null : Number(v); break; }
      case '--business': {
        const v = value();
        if (!SIZES.includes(v as BusinessSize)) throw new Error(`--business must be one of ${SIZES.join('|')}, got ${v}`);
        opts.business = v as BusinessSize;
        break;
      }
      default: throw new Error(`unknown option ${arg}`);
    }
  }
  return opts;
}

/** Starts the emulator and prints exactly `Stripe emulator listening on http://127.0.0.1:P` when ready. */
export async function runEmulatorCli(argv: readonly string[], out: (line: string) => void = (l) => console.log(l)): Promise<{ close(): Promise<void> }> {
  const { startEmulator } = await import('./index.js');
  const emulator = await startEmulator(parseEmulatorArgs(argv));
  out(`Stripe emulator listening on ${emulator.url}`);
  return emulator;
}
