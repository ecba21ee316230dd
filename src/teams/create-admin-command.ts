// `mowt create-admin --email E --org NAME --password-stdin`: the first organisation and its Admin, from the
// server's shell. The password is read from standard input only (never argv, which other users of the
// machine can see in the process list). Prints what it did; the organisation id is the last line.
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { App } from '../app.js';
import type { Config } from '../config.js';
import { HttpProblem } from '../http/problem.js';
import { createAdmin } from './create-admin.js';

export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export interface CreateAdminOptions {
  email: string;
  org: string;
  name?: string;
  passwordStdin?: boolean;
}

/** Runs the command against an app built from config (createApp: the same wiring as the server). */
export async function runCreateAdmin(
  opts: CreateAdminOptions,
  io: CommandIo,
  build: () => Promise<App>,
): Promise<{ orgId: string; userId: string }> {
  if (!opts.passwordStdin) throw new CommandFailure('pass the password on standard input with --password-stdin (e.g. printf %s "$PW" | mowt create-admin …)');
  // One trailing newline (from echo or a heredoc) is not part of the password.
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (password.length === 0) throw new CommandFailure('no password on standard input');
  const app = await build();
  try {
    const teams = app.services.teams;
    const out = await createAdmin(teams, { email: opts.email, orgName: opts.org, password, name: opts.name });
    io.stdout.write(`Created organisation "${opts.org.trim()}" and its Admin ${opts.email.trim()}.\n`);
    io.stdout.write('Sign in to enrol two-factor authentication before anything else.\n');
    io.stdout.write(`${out.orgId}\n`);
    return out;
  } catch (err) {
    if (err instanceof HttpProblem) throw new CommandFailure(err.message);
    throw err;
  } finally {
    await app.close();
  }
}

export function registerCreateAdminCommand(program: Command, deps: { loadConfig: () => Config; createApp: (config: Config) => Promise<App>; io: CommandIo }): void {
  program
    .command('create-admin')
    .description('create the first organisation and its Admin (prints the organisation id last)')
    .requiredOption('--email <email>', 'the Admin’s email address')
    .requiredOption('--org <name>', 'the organisation’s name')
    .option('--name <name>', 'the Admin’s display name (default: the address’s local part)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: CreateAdminOptions) => {
      const config = deps.loadConfig();
      await runCreateAdmin(opts, deps.io, () => deps.createApp({ ...config, logLevel: 'warn' }));
    });
}
