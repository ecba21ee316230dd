// The vulnerability disclosure policy: one text, served at /security/policy.txt (the Policy of security.txt)
// and kept word for word in SECURITY.md (a test compares them), so the two cannot drift apart.
export const DISCLOSURE_POLICY = `# Mowt vulnerability disclosure policy

Found a security issue? We want to know.

## How to report

Email security@mowt.com (or the Contact in https://<your Mowt host>/.well-known/security.txt) with:

- a description of the vulnerability and its impact;
- the steps to reproduce it (requests, accounts and organisations involved);
- your contact information, for follow-up.

Please do not open a public issue for a vulnerability, and give us a reasonable time to fix it before you
disclose it publicly.

## What we commit to

- Acknowledge your report within 24 hours.
- Give you a fix timeline within 7 days.
- Credit you on our security acknowledgements page (/security/acknowledgements), if you want.
- Not pursue legal action for good-faith research that follows this policy.

## Bug bounty

| severity | reward |
|---|---|
| Critical | $500 – $2,000 |
| High | $100 – $500 |
| Medium | $50 – $100 |

Severity is judged by impact on customers' data: cross-organisation access, authentication bypass, exposure of
Stripe tokens or personal data rank highest.

## Good-faith research

- Test only against your own accounts and organisations; never access, change or delete other people's data.
- Do not degrade the service: no denial-of-service, spam, or automated scanning that floods it (every endpoint
  is rate-limited).
- Social engineering of staff, physical attacks, and findings in third-party services (Stripe, AWS) are out of
  scope — report those to their owners.
- Stop and tell us as soon as you reach data that is not yours.
`;
