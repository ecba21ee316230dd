import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('writes JSON with secrets and personal data redacted', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { method: 'POST', url: '/api/auth/password/reset?token=abc123', headers: { authorization: 'Bearer rk_live_123', cookie: '__Host-mowt_session=s3cr3t' } },
        body: { email: 'jane@example.com', password: 'correct horse battery', token: 'tok_999', restrictedKey: 'rk_test_abc' },
      },
      'request',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    const parsed = JSON.parse(line);
    expect(parsed.msg).toBe('request');
    for (const secret of ['rk_live_123', 's3cr3t', 'jane@example.com', 'correct horse battery', 'tok_999', 'rk_test_abc', 'abc123']) {
      expect(line).not.toContain(secret);
    }
    expect(parsed.body.password).toBe('[redacted]');
    expect(parsed.req.path).toBe('/api/auth/password/reset');
  });
});
