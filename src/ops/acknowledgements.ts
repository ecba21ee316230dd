// The security hall of fame: researchers who reported valid issues and asked to be credited. Appended by the
// security team when a fix ships (name as the researcher wants it shown, month, short public summary).
export interface Acknowledgement {
  name: string;
  /** YYYY-MM the fix shipped. */
  month: string;
  summary: string;
  url?: string;
}

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [];
