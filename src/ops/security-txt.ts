// /.well-known/security.txt (RFC 9116). Expires is computed from now on every request so a running server
// never serves a stale file; the RFC asks for less than a year ahead.
export interface SecurityTxtInput {
  contact: string;
  baseUrl: string;
  now: Date;
  languages?: string[];
}

export const SECURITY_TXT_LIFETIME_DAYS = 180;

export function securityTxt(input: SecurityTxtInput): string {
  const origin = new URL(input.baseUrl).origin;
  const expires = new Date(input.now.getTime() + SECURITY_TXT_LIFETIME_DAYS * 24 * 60 * 60 * 1000);
  expires.setUTCMilliseconds(0);
  return [
    `Contact: ${input.contact}`,
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    `Policy: ${origin}/security/policy.txt`,
    `Acknowledgments: ${origin}/security/acknowledgements`,
    `Preferred-Languages: ${(input.languages ?? ['en']).join(', ')}`,
    `Canonical: ${origin}/.well-known/security.txt`,
    '',
  ].join('\n');
}
