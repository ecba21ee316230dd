// Password rules: 12 to 256 characters, and a zxcvbn score of at least 3 given what we know about the user
// (email, its local part, org name). zxcvbn's bundled dictionaries include the most common breached
// passwords, so the offline check refuses them without any network call.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { HttpProblem } from '../http/problem.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
const MIN_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  // Matching cost grows steeply with length (and Levenshtein scans every dictionary word), and it runs on
  // the event loop: score the first 64 characters only — a long passphrase is judged by its start.
  useLevenshteinDistance: false,
  maxLength: 64,
});

const comparable = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** What the password must not contain: the address's local part and domain name, the org and user names. */
function personalTerms(ctx: PasswordContext): string[] {
  const terms: string[] = [];
  if (ctx.email) {
    const [local = '', domain = ''] = ctx.email.trim().toLowerCase().split('@');
    terms.push(local, domain.split('.')[0] ?? '');
  }
  if (ctx.orgName) terms.push(ctx.orgName);
  if (ctx.name) terms.push(ctx.name);
  return terms.map(comparable).filter((t) => t.length >= 4);
}

/** Reports whether a password has appeared in a known breach (optional, see breach-check.ts). */
export type BreachCheck = (password: string) => Promise<boolean>;

export interface PasswordContext {
  email?: string;
  orgName?: string;
  name?: string;
}

function userInputs(ctx: PasswordContext): string[] {
  const inputs: string[] = [];
  if (ctx.email) {
    const email = ctx.email.trim().toLowerCase();
    inputs.push(email, ...email.split(/[@.+_-]/).filter((p) => p.length >= 3));
  }
  if (ctx.orgName) inputs.push(ctx.orgName, ...ctx.orgName.split(/\s+/).filter((p) => p.length >= 3));
  if (ctx.name) inputs.push(ctx.name, ...ctx.name.split(/\s+/).filter((p) => p.length >= 3));
  inputs.push('mowt');
  return inputs;
}

/** The reason a password is refused, or null when it is acceptable. */
export async function passwordProblem(password: string, ctx: PasswordContext, breached?: BreachCheck): Promise<string | null> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const flat = comparable(password);
  if (personalTerms(ctx).some((term) => flat.includes(term))) return 'password must not contain your email address, name or organisation name';
  const result = await zxcvbn.checkAsync(password, userInputs(ctx));
  if (result.score < MIN_SCORE) {
    const hint = result.feedback.warning ?? result.feedback.suggestions[0];
    return `password is too easy to guess${hint ? `: ${hint}` : ''}`;
  }
  if (breached && (await breached(password))) return 'password has appeared in a data breach; choose another';
  return null;
}

/** Throws a 422 problem when the password breaks the policy. */
export async function assertPasswordAcceptable(password: string, ctx: PasswordContext, breached?: BreachCheck): Promise<void> {
  const why = await passwordProblem(password, ctx, breached);
  if (why) throw new HttpProblem(422, why, { errors: [{ field: 'password', message: why }] });
}
