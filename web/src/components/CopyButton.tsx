import { useState } from 'react';

/** Copies text to the clipboard and says so in a live region (the clipboard API needs a secure context). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
  }
  return (
    <span className="copy">
      <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-status" role="status">
        {status === 'copied' ? 'Copied.' : status === 'failed' ? 'Copy failed: select the text and copy it by hand.' : ''}
      </span>
    </span>
  );
}
