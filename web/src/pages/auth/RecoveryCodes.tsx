import { useState } from 'react';
import { CopyButton } from '../../components/CopyButton.js';

function download(codes: string[]) {
  const text = `Mowt recovery codes\nEach code signs you in once if you lose your authenticator.\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'mowt-recovery-codes.txt';
  a.click();
  // Revoke on the next tick: the download has started by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Shown exactly once after enrolment: the server keeps only hashes, so this is the last chance to save them. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="recovery-title" className="stack">
      <h2 id="recovery-title">Save your recovery codes</h2>
      <p>
        If you lose your phone, each of these codes lets you sign in once. Store them somewhere safe, such as a password manager.
        <strong> They will not be shown again.</strong>
      </p>
      <ol className="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="button-row">
        <CopyButton text={codes.join('\n')} label="Copy codes" />
        <button type="button" className="btn btn-secondary" onClick={() => download(codes)}>
          Download as text file
        </button>
      </div>
      <div className="checkbox">
        <input id="codes-saved" type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
        <label htmlFor="codes-saved">I have saved my recovery codes</label>
      </div>
      <button type="button" className="btn btn-primary btn-block" disabled={!saved} onClick={onDone}>
        Continue to Mowt
      </button>
    </section>
  );
}
