// Time is injected everywhere it matters (sessions, rotation, retention) so tests can move it.
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
