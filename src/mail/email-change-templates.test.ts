import { describe, expect, it } from 'vitest';
import { emailChangeConfirmEmail, emailChangedEmail, emailChangeRequestedEmail, emailChangeTakenEmail } from './templates.js';

describe('email-change messages', () => {
  it('carry the link only in the confirmation to the new address', () => {
    const link = 'https://mowt.test/confirm-email-change#token=abc';
    const confirm = emailChangeConfirmEmail('new@example.com', link);
    expect(confirm).toMatchObject({ to: 'new@example.com', subject: 'Confirm your new email address' });
    expect(confirm.text).toContain(link);
    expect(confirm.html).toContain('href="https://mowt.test/confirm-email-change#token=abc"');
    for (const m of [emailChangeTakenEmail('taken@example.com'), emailChangeRequestedEmail('old@example.com', 'new@example.com'), emailChangedEmail('old@example.com', 'new@example.com')]) {
      expect(m.text).not.toMatch(/token=/);
      expect(m.text.length).toBeGreaterThan(0);
    }
  });

  it('escape the new address in the HTML part', () => {
    const hostile = '"<script>alert(1)</script>"@example.com';
    for (const m of [emailChangeRequestedEmail('old@example.com', hostile), emailChangedEmail('old@example.com', hostile)]) {
      expect(m.html).not.toContain('<script>');
      expect(m.html).toContain('&lt;script&gt;');
      expect(m.text).toContain(hostile);
    }
  });
});
