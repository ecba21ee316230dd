// Chart colours: one per movement kind, distinguishable for common colour-vision deficiencies and with
// at least 3:1 contrast against the white card (WCAG non-text contrast).
export const MOVEMENT_COLOURS = {
  new: '#0b6b4d',
  expansion: '#2f8fce',
  reactivation: '#7a5bc7',
  contraction: '#d97a1f',
  churn: '#b3261e',
  currencyAdjustment: '#6b7a73',
} as const;

export const LINE_COLOUR = '#16211c';
export const AXIS_COLOUR = '#4f5d56';
export const GRID_COLOUR = '#dce3df';
export const ANNOTATION_COLOUR = '#1a56db';
