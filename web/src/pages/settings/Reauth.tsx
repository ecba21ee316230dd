// Sudo mode in a form: the server wants the password and a fresh authenticator code again (within 10 minutes)
// before a sensitive change. The form keeps the two fields here and calls `confirm()` before its own request.
import { useState } from 'react';
import { reauthenticate } from '../../api/endpoints.js';
import { TextField } from '../../components/Field.js';
import { CodeField, cleanCode } from '../auth/CodeField.js';

export interface Reauth {
  password: string;
  setPassword: (v: string) => void;
  code: string;
  setCode: (v: string) => void;
  /** Re-authenticates with what was typed (rejects with the server's problem on a wrong password or code). */
  confirm: () => Promise<unknown>;
  clear: () => void;
}

export function useReauth(): Reauth {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  return {
    password,
    setPassword,
    code,
    setCode,
    confirm: () => reauthenticate(password, cleanCode(code)),
    clear: () => {
      setPassword('');
      setCode('');
    },
  };
}

export function ReauthFields({ reauth, errors, label = 'Current password' }: { reauth: Reauth; errors: { password?: string; code?: string }; label?: string }) {
  return (
    <>
      <TextField
        label={label}
        name="current-password"
        type="password"
        autoComplete="current-password"
        required
        value={reauth.password}
        onChange={(e) => reauth.setPassword(e.target.value)}
        error={errors.password}
      />
      <CodeField value={reauth.code} onChange={reauth.setCode} error={errors.code} />
    </>
  );
}
