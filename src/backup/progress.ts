// Terminal progress for backup and restore: bytes, percentage, rate and ETA. On a terminal one line is
// redrawn in place; in logs (not a TTY) a line every 10 seconds at most, so cron mail stays short.
import type { TransferProgress } from './transfer.js';

const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MiB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / 1024 / MiB).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line (pure, for tests and printers). */
export function progressLine(p: TransferProgress): string {
  const rate = p.elapsedMs > 0 ? (p.bytes / p.elapsedMs) * 1000 : 0;
  const parts = [p.phase.padEnd(7), formatBytes(p.bytes)];
  if (p.total && p.total > 0) {
    const pct = Math.min(100, (p.bytes / p.total) * 100);
    parts.push(`of ${p.exact ? '' : '~'}${formatBytes(p.total)}`, `${pct.toFixed(0)}%`);
    if (rate > 0 && p.bytes < p.total) parts.push(`ETA ${p.exact ? '' : '~'}${formatDuration(((p.total - p.bytes) / rate) * 1000)}`);
  }
  parts.push(`${formatBytes(Math.round(rate))}/s`);
  return parts.join('  ');
}

export interface ProgressPrinter {
  update(p: TransferProgress): void;
  /** Ends the in-place line (call before printing anything else). */
  done(): void;
}

export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressPrinter {
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const t = now();
      if (t - last < (tty ? 200 : 10_000)) return;
      last = t;
      if (tty) {
        stream.write(`\r${progressLine(p).padEnd(78)}`);
        drawn = true;
      } else {
        stream.write(`${progressLine(p)}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
