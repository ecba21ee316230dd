import { describe, expect, it } from 'vitest';
import { formErrors } from './form-errors.js';
import { ApiError, apiErrorFromResponse, describeError, humaniseFieldMessage, sanitiseProblem } from './problem.js';

describe('problem details', () => {
  it('reads an RFC 9457 body and ignores fields of the wrong type', () => {
    expect(sanitiseProblem({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 7, errors: [{ field: 'a', message: 'b' }, { field: 1 }] })).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: undefined,
      code: undefined,
      errors: [{ field: 'a', message: 'b' }],
    });
    expect(sanitiseProblem('nope')).toEqual({});
  });

  it('keeps the status when the error body is not JSON', async () => {
    const err = await apiErrorFromResponse(new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(err.status).toBe(502);
    expect(describeError(err)).toBe('Something went wrong on our side. Please try again in a moment.');
  });

  it('rewrites validator messages in plain language', () => {
    expect(humaniseFieldMessage('must NOT have fewer than 12 characters')).toBe('Must be at least 12 characters.');
    expect(humaniseFieldMessage("must have required property 'email'")).toBe('Required.');
    expect(humaniseFieldMessage('must match format "email"')).toBe('Enter a valid email address.');
    expect(humaniseFieldMessage('is too common: choose something less guessable')).toBe('Is too common: choose something less guessable.');
  });

  it('puts field errors next to known fields and the rest in the summary', () => {
    const err = new ApiError(400, {
      detail: 'body: email is invalid',
      errors: [
        { field: 'email', message: 'must match format "email"' },
        { field: 'body.password', message: 'must NOT have fewer than 12 characters' },
        { field: 'querystring.extra', message: 'is not allowed' },
      ],
    });
    expect(formErrors(err, ['email', 'password'])).toEqual({
      fields: { email: 'Enter a valid email address.', password: 'Must be at least 12 characters.' },
      summary: 'extra: Is not accepted here.',
    });
    expect(formErrors(new ApiError(400, { errors: [{ field: 'email', message: 'x' }] }), ['email']).summary).toBe(
      'Please correct the highlighted fields.',
    );
    expect(formErrors(new ApiError(401, { detail: 'Wrong email or password.' }), ['email'])).toEqual({ fields: {}, summary: 'Wrong email or password.' });
    expect(formErrors(null, [])).toEqual({ fields: {}, summary: undefined });
  });

  it('speaks plainly about rate limits, outages and unknown failures', () => {
    expect(describeError(new ApiError(429))).toMatch(/Too many attempts/);
    expect(describeError(new ApiError(500, { detail: 'stack trace here' }))).not.toMatch(/stack/);
    expect(describeError(new Error('boom'))).toMatch(/unexpected/);
  });
});
