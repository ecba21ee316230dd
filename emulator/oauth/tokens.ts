// OAuth state for the emulated Stripe App (stripe_api_access_type: oauth): authorisation codes,
// access tokens that expire, refresh tokens, and revocation per connected account.
import { randomBytes } from 'node:crypto';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

interface Grant {
  accountId: string;
  scope: string;
}

interface AccessToken extends Grant {
  expiresAt: number;
  revoked: boolean;
}

const ACCESS_PREFIX = 'rk_test_oa';

export class OAuthTokens {
  private readonly codes = new Map<string, Grant & { expiresAt: number; redirectUri: string }>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, Grant & { revoked: boolean }>();

  constructor(
    readonly client: OAuthClient,
    private readonly now: () => number,
    readonly accessTokenTtlSeconds: number,
  ) {}

  static isAccessToken(token: string): boolean {
    return token.startsWith(ACCESS_PREFIX);
  }

  issueCode(accountId: string, redirectUri: string): string {
    const code = `ac_${randomBytes(16).toString('hex')}`;
    // Stripe's codes are single-use and short-lived.
    this.codes.set(code, { accountId, scope: 'read_only', redirectUri, expiresAt: this.now() + 300 });
    return code;
  }

  private issueTokens(grant: Grant, refreshToken?: string): { access_token: string; refresh_token: string; expires_in: number } {
    const accessToken = `${ACCESS_PREFIX}${randomBytes(20).toString('hex')}`;
    this.access.set(accessToken, { ...grant, expiresAt: this.now() + this.accessTokenTtlSeconds, revoked: false });
    const refresh = refreshToken ?? `rt_${randomBytes(20).toString('hex')}`;
    this.refresh.set(refresh, { ...grant, revoked: false });
    return { access_token: accessToken, refresh_token: refresh, expires_in: this.accessTokenTtlSeconds };
  }

  exchangeCode(code: string): (Grant & { access_token: string; refresh_token: string; expires_in: number }) | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.expiresAt < this.now()) return undefined;
    return { ...grant, ...this.issueTokens(grant) };
  }

  refreshTokens(refreshToken: string): (Grant & { access_token: string; refresh_token: string; expires_in: number }) | undefined {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.revoked) return undefined;
    return { accountId: grant.accountId, scope: grant.scope, ...this.issueTokens(grant, refreshToken) };
  }

  /** The account an access token may read, or the reason it may not. */
  check(token: string): { accountId: string } | 'invalid' | 'expired' {
    const entry = this.access.get(token);
    if (!entry) return 'invalid';
    if (entry.revoked || entry.expiresAt <= this.now()) return 'expired';
    return { accountId: entry.accountId };
  }

  /** Revokes every token of an account (uninstall / deauthorize). Returns whether anything was revoked. */
  revokeAccount(accountId: string): boolean {
    let any = false;
    for (const t of this.access.values()) if (t.accountId === accountId && !t.revoked) { t.revoked = true; any = true; }
    for (const t of this.refresh.values()) if (t.accountId === accountId && !t.revoked) { t.revoked = true; any = true; }
    return any;
  }

  clientAuthenticated(secret: string | undefined): boolean {
    return secret === this.client.clientSecret;
  }
}
