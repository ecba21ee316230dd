import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem.js';
import { redirectForError, safeReturnPath, signInPath } from './auth-redirect.js';

const err = (status: number, detail: string) => new ApiError(status, { detail });

describe('where an auth failure leads', () => {
  it('sends a missing session to sign-in, remembering the page', () => {
    expect(redirectForError(err(401, 'sign in first'), '/orgs/o/mrr')).toBe('/sign-in?next=%2Forgs%2Fo%2Fmrr');
    expect(redirectForError(err(401, 'sign in first'), '/')).toBe('/sign-in');
  });

  it('sends a user without 2FA to enrolment (the backend answers 403 "enrol two-factor authentication first")', () => {
    expect(redirectForError(err(403, 'enrol two-factor authentication first'), '/orgs/o/overview')).toBe('/sign-in/enrol');
  });

  it('sends a half-signed-in session to the code prompt (401 "enter your two-factor code first")', () => {
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
