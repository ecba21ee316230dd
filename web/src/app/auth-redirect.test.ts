import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem.js';
import { redirectForError, safeReturnPath, signInPath } from './auth-redirect.js';

const err = (status: number, detail: string) => new ApiError(status, { detail });

describe('where an auth failure leads', () => {
  it('sends a missing session to sign-in, remembering the page', () => {
    expect(redirectForError(err(401, 'sign in first'), '/orgs/o/mrr')).toBe('/sign-in?next=%2Forgs%2Fo%2Fmrr');
    expect(redirectForError(err(401, 'sign in first'), '/')).toBe('/sign-in');
  });

  it('sends a user without 2FA to enrolment (403 with code "totp_enrolment_required")', () => {
    const e = new ApiError(403, { detail: 'enrol two-factor authentication first', code: 'totp_enrolment_required' });
    expect(redirectForError(e, '/orgs/o/overview')).toBe('/sign-in/enrol');
    // The code decides, not the wording.
    expect(redirectForError(new ApiError(403, { detail: 'reworded', code: 'totp_enrolment_required' }), '/orgs/o/overview')).toBe('/sign-in/enrol');
  });

  it('sends a half-signed-in session to the code prompt (401 with code "totp_required")', () => {
    const e = new ApiError(401, { detail: 'enter your two-factor code first', code: 'totp_required' });
    expect(redirectForError(e, '/orgs/o/overview')).toBe('/sign-in/totp');
    expect(redirectForError(new ApiError(401, { detail: 'reworded', code: 'totp_required' }), '/orgs/o/overview')).toBe('/sign-in/totp');
  });

  it('trusts a code over the wording: another code is not a 2FA problem', () => {
    const sudo = new ApiError(403, { detail: 'enrol two-factor authentication first', code: 'sudo_required' });
    expect(redirectForError(sudo, '/orgs/o/settings/security')).toBeUndefined();
  });

  it('falls back to the wording when a problem has no code', () => {
    expect(redirectForError(err(403, 'enrol two-factor authentication first'), '/orgs/o/overview')).toBe('/sign-in/enrol');
    expect(redirectForError(err(401, 'enter your two-factor code first'), '/orgs/o/overview')).toBe('/sign-in/totp');
  });

  it('leaves other errors, and errors on the page already handling them, to the page', () => {
    expect(redirectForError(err(403, 'your role does not allow this'), '/orgs/o/settings/team')).toBeUndefined();
    expect(redirectForError(err(404, 'not found'), '/x')).toBeUndefined();
    expect(redirectForError(err(401, 'sign in first'), '/sign-in')).toBeUndefined();
    expect(redirectForError(new Error('x'), '/')).toBeUndefined();
  });

  it('accepts only same-site return paths', () => {
    expect(safeReturnPath('/orgs/o/mrr?x=1')).toBe('/orgs/o/mrr?x=1');
    expect(safeReturnPath('//evil.example/')).toBeUndefined();
    expect(safeReturnPath('/\\evil.example')).toBeUndefined();
    expect(safeReturnPath('https://evil.example/')).toBeUndefined();
    expect(signInPath('https://evil.example/')).toBe('/sign-in');
  });
});
