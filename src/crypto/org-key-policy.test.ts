import { describe, expect, it } from 'vitest';
import { accountOf, orgKeyPolicy } from './org-key-policy.js';

const TASK = 'arn:aws:iam::111122223333:role/mowt-production-app-task';
const GLASS = 'arn:aws:iam::111122223333:role/mowt-production-break-glass';

describe('organisation key policy', () => {
  it('gives the account administration but no cryptographic action', () => {
    const policy = JSON.parse(orgKeyPolicy('org-1', { taskRoleArn: TASK, breakGlassRoleArn: GLASS })) as { Statement: { Principal: { AWS: string }; Action: string[] }[] };
    const root = policy.Statement.filter((s) => s.Principal.AWS === 'arn:aws:iam::111122223333:root');
    expect(root).toHaveLength(1);
    for (const action of root[0]!.Action) expect(action).not.toMatch(/^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|\*)/);
  });

  it('refuses principals that are not IAM roles of one account', () => {
    expect(() => orgKeyPolicy('org-1', { taskRoleArn: 'arn:aws:iam::111122223333:user/alice', breakGlassRoleArn: GLASS })).toThrow(/not an IAM role ARN/);
    expect(() => orgKeyPolicy('org-1', { taskRoleArn: TASK, breakGlassRoleArn: 'arn:aws:iam::999988887777:role/x' })).toThrow(/same account/);
    expect(accountOf(TASK)).toBe('111122223333');
  });
});
