// Settings → Data & privacy (Admins): where the organisation's data lives and how it is backed up (the last
// backup and the last automated restore test), a download of all of it (GDPR), and deleting the organisation —
// which needs the password and a code again and the organisation's name typed out, because it cannot be undone.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.js';
import { formErrors } from '../../api/form-errors.js';
import { ME_KEY } from '../../app/use-me.js';
import { FormAlert, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
import { ReauthFields, useReauth } from './Reauth.js';

/** GET /api/orgs/:orgId/backups/status (src/backup/status-routes.ts). */
export interface BackupStatus {
  dataRegion: string;
  allowedBackupRegions: string[];
  primaryRegion: string;
  backupDestination: { kind: 's3' | 'local'; region: string | null };
  snapshotIntervalMinutes: number;
  lastBackup: { at: string; ok: boolean; bytes: number | null; durationMs: number | null } | null;
  lastRestoreTest: {
    at: string;
    ok: boolean;
    backupId: string | null;
    totalMs: number | null;
    tablesChecked: number;
    rowsChecked: number;
    valuesDecrypted: number;
    valuesShredded: number;
    problems: number;
  } | null;
}

const orgBase = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

function size(bytes: number | null): string {
  if (bytes === null) return 'size unknown';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function every(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'daily' : `every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hourly' : `every ${minutes / 60} hours`;
  return `every ${minutes} minutes`;
}

export function DataPrivacyPage() {
  return (
    <Gate capability="manageOrganisation" what="data and privacy settings">
      <DataPrivacyContent />
    </Gate>
  );
}

function DataPrivacyContent() {
  const { org } = useOrgContext();
  return (
    <div className="page">
      <PageHeader title="Data & privacy" description="Where your organisation’s data is kept, how it is backed up, and how to take it with you or delete it." />
      <BackupsCard orgId={org.id} />
      <ExportCard orgId={org.id} />
      <DeleteCard orgId={org.id} orgName={org.name} />
    </div>
  );
}

function BackupsCard({ orgId }: { orgId: string }) {
  const status = useQuery({ queryKey: ['orgs', orgId, 'backups', 'status'], queryFn: () => api.get<BackupStatus>(`${orgBase(orgId)}/backups/status`) });
  return (
    <section className="card" aria-labelledby="backups-title">
      <h2 id="backups-title">Storage and backups</h2>
      {status.isPending ? <LoadingState label="Loading backup status…" /> : null}
      {status.isError ? <ErrorState error={status.error} onRetry={() => void status.refetch()} /> : null}
      {status.data ? (
        <dl className="definition-list">
          <div>
            <dt>Data region</dt>
            <dd>
              {status.data.dataRegion} — backups may only be written to {status.data.allowedBackupRegions.join(', ') || 'no region'}
            </dd>
          </div>
          <div>
            <dt>Backups</dt>
            <dd>
              Encrypted, {every(status.data.snapshotIntervalMinutes)}, to{' '}
              {status.data.backupDestination.kind === 's3' ? `storage in ${status.data.backupDestination.region}` : 'the server’s backup folder'}; daily copies are kept 30 days and weekly ones a year.
            </dd>
          </div>
          <div>
            <dt>Last backup</dt>
            <dd data-testid="last-backup">
              {status.data.lastBackup ? (
                <>
                  {status.data.lastBackup.ok ? 'Succeeded' : 'Failed'} <Time iso={status.data.lastBackup.at} /> ({size(status.data.lastBackup.bytes)})
                </>
              ) : (
                'No backup has run yet.'
              )}
            </dd>
          </div>
          <div>
            <dt>Last restore test</dt>
            <dd data-testid="last-restore-test">
              {status.data.lastRestoreTest ? (
                <>
                  {status.data.lastRestoreTest.ok ? 'Passed' : `Failed with ${status.data.lastRestoreTest.problems} problem(s)`} <Time iso={status.data.lastRestoreTest.at} />:{' '}
                  {status.data.lastRestoreTest.tablesChecked} tables and {status.data.lastRestoreTest.rowsChecked.toLocaleString('en-GB')} rows checked,{' '}
                  {status.data.lastRestoreTest.valuesDecrypted.toLocaleString('en-GB')} encrypted values read back
                </>
              ) : (
                'No restore test has run yet. Each backup is restored into a scratch database and checked automatically.'
              )}
            </dd>
          </div>
        </dl>
      ) : null}
    </section>
  );
}

function ExportCard({ orgId }: { orgId: string }) {
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Download all data</h2>
      <p>
        A zip of every record Mowt holds for this organisation, as JSON and CSV, decrypted for you: synced Stripe data, figures, members, settings and the audit
        log. Secrets such as Stripe keys are left out. The download is recorded in the audit log.
      </p>
      <p>
        <a className="btn btn-secondary" href={`${orgBase(orgId)}/data-export`} download>
          Download all data (.zip)
        </a>
      </p>
    </section>
  );
}

function DeleteCard({ orgId, orgName }: { orgId: string; orgName: string }) {
  const reauth = useReauth();
  const [typed, setTyped] = useState('');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => {
      await reauth.confirm();
      return api.delete<{ deleted: boolean; auditRetainedUntil: string }>(orgBase(orgId), { confirmName: typed });
    },
    // A wrong password answers 401: a form error here, not a lost session.
    meta: { handlesAuthErrors: true },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
      void navigate('/', { replace: true, state: { notice: `${orgName} was deleted.` } });
    },
  });
  const errors = formErrors(remove.error, ['password', 'code', 'confirmName']);
  const matches = typed === orgName;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (matches) remove.mutate();
  }

  return (
    <section className="card card-danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete this organisation</h2>
      <p>
        Everything is deleted at once for every member: synced Stripe data, figures, saved views and settings. Its encryption keys are destroyed, so copies in
        older backups can never be read again. The audit log is kept, without personal details, for the period the law requires. This cannot be undone.
      </p>
      <form className="form narrow-form" onSubmit={submit} aria-label="Delete this organisation">
        <FormAlert message={errors.summary} />
        <TextField
          label={`Type the organisation’s name (${orgName}) to confirm`}
          name="confirm-name"
          autoComplete="off"
          required
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={errors.fields.confirmName}
        />
        <ReauthFields reauth={reauth} errors={{ password: errors.fields.password, code: errors.fields.code }} />
        <div>
          <button type="submit" className="btn btn-danger" disabled={!matches || remove.isPending}>
            {remove.isPending ? 'Deleting…' : 'Delete organisation and all its data'}
          </button>
        </div>
      </form>
    </section>
  );
}
