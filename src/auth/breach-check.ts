// Optional k-anonymity breach check (the "range" API of Pwned Passwords): only the first five hex digits of
// the password's SHA-1 leave the machine; the suffix is compared locally. Off by default (MOWT_BREACH_CHECK)
// because many deployments allow no outbound calls. A failed call never blocks a password change: the
// offline zxcvbn dictionaries still apply.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { BreachCheck } from './password-policy.js';

export const BREACH_RANGE_URL = 'https://api.pwnedpasswords.com/range/';

export function rangeBreachCheck(opts: { fetch?: typeof fetch; logger?: Logger; baseUrl?: string } = {}): BreachCheck {
  const doFetch = opts.fetch ?? fetch;
  return async (password) => {
    const sha1 = crypto.createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = sha1.slice(0, 5);
    const suffix = sha1.slice(5);
    try {
      const res = await doFetch(`${opts.baseUrl ?? BREACH_RANGE_URL}${prefix}`, {
        headers: { 'Add-Padding': 'true' },
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) throw new Error(`breach API answered ${res.status}`);
      const body = await res.text();
      return body.split('\n').some((line) => {
        const [hashSuffix, count] = line.trim().split(':');
        return hashSuffix === suffix && Number(count) > 0;
      });
    } catch (err) {
      opts.logger?.warn({ err }, 'breach check unavailable; relying on the offline dictionaries');
      return false;
    }
  };
}
