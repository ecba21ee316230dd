import { TextField } from '../../components/Field.js';

/** A six-digit authenticator code field, with the hints phones use to offer codes (one-time-code). */
export function CodeField({ value, onChange, error, label = 'Authenticator code' }: { value: string; onChange: (v: string) => void; error?: string; label?: string }) {
  return (
    <TextField
      label={label}
      name="code"
      hint="The 6-digit code from your authenticator app."
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]{6,7}"
      maxLength={7}
      required
      className="field-code"
      value={value}
      // Spaces are allowed while typing ("123 456") and removed before sending.
      onChange={(e) => onChange(e.target.value.replace(/[^0-9 ]/g, ''))}
      error={error}
    />
  );
}

export const cleanCode = (v: string) => v.replace(/\s+/g, '');
