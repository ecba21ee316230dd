import { describe, expect, it } from 'vitest';
import { tokenFromLocation } from './link-token.js';

describe('tokens of emailed links', () => {
  it('reads the token from the fragment, as the backend sends it, or from the query', () => {
    expect(tokenFromLocation('', '#token=abc.def_123')).toBe('abc.def_123');
    expect(tokenFromLocation('', '#token=986a4727-5908%2Efoo')).toBe('986a4727-5908.foo');
    expect(tokenFromLocation('?token=q', '')).toBe('q');
    expect(tokenFromLocation('?token=q', '#token=h')).toBe('h');
    expect(tokenFromLocation('', '')).toBeNull();
  });
});
