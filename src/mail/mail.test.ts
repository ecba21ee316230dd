import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { createMailer } from './create-mailer.js';
import { devMailbox, maskAddress } from './dev-mailbox.js';
import { smtpMailer } from './smtp-mailer.js';
import { inviteEmail, passwordResetEmail } from './templates.js';
import { decodeMail, startTestSmtpServer, type TestSmtpServer } from './test-smtp-server.js';

describe('SMTP delivery', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('delivers text and HTML through a real SMTP server', async () => {
    const mailer = smtpMailer({ url: smtp.url, from: 'Mowt <no-reply@mowt.test>' });
    await mailer.send(passwordResetEmail('ada@example.com', 'https://mowt.test/reset-password#token=abc'));
    mailer.close();
    const m = await smtp.waitFor((x) => x.to.includes('ada@example.com'));
    expect(m.from).toBe('no-reply@mowt.test');
    const body = decodeMail(m.raw);
    expect(body).toMatch(/Subject: Reset your Mowt password/);
    expect(body).toContain('https://mowt.test/reset-password#token=abc');
    expect(body).toMatch(/Content-Type: text\/html/);
  });

  it('createMailer uses SMTP when SMTP_URL is set', async () => {
    const config = loadConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Mowt <ops@mowt.test>' });
    await createMailer(config, pino({ level: 'silent' })).send({ to: 'cfg@example.com', subject: 'configured', text: 'hello' });
    const m = await smtp.waitFor((x) => x.to.includes('cfg@example.com'));
    expect(m.from).toBe('ops@mowt.test');
  });
});

describe('development mailbox', () => {
  it('writes .eml files readable only by the owner and logs without the body or full address', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mowt-mail-'));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const box = devMailbox({ dataDir, from: 'Mowt <no-reply@localhost>', logger });
    await box.send(passwordResetEmail('grace@example.com', 'https://localhost:8443/reset-password#token=SECRET-TOKEN'));
    const files = fs.readdirSync(box.dir);
    expect(files).toHaveLength(1);
    const file = path.join(box.dir, files[0]!);
    expect(file.endsWith('.eml')).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(decodeMail(fs.readFileSync(file, 'utf8'))).toContain('SECRET-TOKEN');
    const log = lines.join('');
    expect(log).toContain('g***@example.com');
    expect(log).not.toContain('grace@example.com');
    expect(log).not.toContain('SECRET-TOKEN');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the default in development; production refuses to start without SMTP_URL', () => {
    const logger = pino({ level: 'silent' });
    expect(createMailer(loadConfig({}), logger)).toHaveProperty('dir');
    const prod = { ...loadConfig({}), env: 'production' as const };
    expect(() => createMailer(prod, logger)).toThrow(ConfigError);
  });

  it('masks addresses', () => {
    expect(maskAddress('ada@example.com')).toBe('a***@example.com');
  });
});

describe('templates', () => {
  it('escape what they interpolate into HTML', () => {
    const m = inviteEmail('x@example.com', { orgName: '<script>alert(1)</script>', role: 'Viewer', inviterName: 'Eve & Co', link: 'https://mowt.test/invite#t="x"' });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.html).toContain('Eve &amp; Co');
    expect(m.html).toContain('href="https://mowt.test/invite#t=&quot;x&quot;"');
    expect(m.text).toContain('https://mowt.test/invite#t="x"');
  });
});
