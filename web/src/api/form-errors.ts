// Splits an error into messages shown next to the fields they concern and one summary for the rest.
import { ApiError, describeError, humaniseFieldMessage } from './problem.js';

export interface FormErrors {
  fields: Record<string, string>;
  summary: string | undefined;
}

export const NO_ERRORS: FormErrors = { fields: {}, summary: undefined };

export function formErrors(err: unknown, knownFields: readonly string[]): FormErrors {
  if (!err) return NO_ERRORS;
  if (!(err instanceof ApiError) || err.errors.length === 0) return { fields: {}, summary: describeError(err) };
  const all = err.fieldErrors();
  const fields: Record<string, string> = {};
  const leftovers: string[] = [];
  for (const [field, message] of Object.entries(all)) {
    if (knownFields.includes(field)) fields[field] = message;
    else leftovers.push(`${field}: ${humaniseFieldMessage(message)}`);
  }
  const summary =
    leftovers.length > 0
      ? leftovers.join(' ')
      : Object.keys(fields).length > 0
        ? 'Please correct the highlighted fields.'
        : describeError(err);
  return { fields, summary };
}
