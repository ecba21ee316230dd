// The dashboard state from the URL, with "today" in the organisation's time zone (the API's calendar).
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { readState, todayIn, writeState, type DashboardState } from './query-state.js';

export function useDashboardState(timezone: string | undefined): [DashboardState, (next: DashboardState) => void, string] {
  const [params, setParams] = useSearchParams();
  const today = todayIn(timezone);
  const state = useMemo(() => readState(params, today), [params, today]);
  const set = useCallback(
    (next: DashboardState) => {
      // Keep parameters other pages own (a customer search, a page number) out of the dashboard state.
      setParams(writeState(next, today), { replace: false });
    },
    [setParams, today],
  );
  return [state, set, today];
}
