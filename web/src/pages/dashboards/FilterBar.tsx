// Date range, interval, segment filters (plan, currency, country, billing interval, Stripe metadata) and
// saved views. Everything is written to the URL; the pages read it from there.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { can } from '../../app/roles.js';
import { useOrgContext } from '../../layout/org-context.js';
import { createView, deleteView, fetchPlans, fetchViews, type PlanRow, type SavedView } from './metrics-api.js';
import {
  BILLING_INTERVALS,
  EMPTY_FILTERS,
  filterCount,
  fromViewFilters,
  INTERVALS,
  isIsoDay,
  presetRange,
  RANGE_PRESETS,
  sameFilters,
  toViewFilters,
  type BillingInterval,
  type DashboardState,
  type Filters,
  type Interval,
} from './query-state.js';

const INTERVAL_LABELS: Record<Interval, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly' };
const BILLING_LABELS: Record<BillingInterval, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly', year: 'Yearly' };

export function planLabel(p: Pick<PlanRow, 'priceId' | 'productName' | 'nickname' | 'interval' | 'intervalCount' | 'currency'>): string {
  const name = p.nickname || p.productName || p.priceId;
  // A price Mowt has not synced (yet) has no interval: the currency alone, not "per null".
  if (p.interval === null) return `${name} (${p.currency})`;
  const every = p.intervalCount !== null && p.intervalCount > 1 ? `every ${p.intervalCount} ${p.interval}s` : `per ${p.interval}`;
  return `${name} (${p.currency} ${every})`;
}

export function FilterBar({ state, onChange, today, showInterval = true, showRange = true }: { state: DashboardState; onChange: (s: DashboardState) => void; today: string; showInterval?: boolean; showRange?: boolean }) {
  const { org } = useOrgContext();
  const id = useId();
  const [from, setFrom] = useState(state.from);
  const [to, setTo] = useState(state.to);
  useEffect(() => {
    setFrom(state.from);
    setTo(state.to);
  }, [state.from, state.to]);
  const preset = RANGE_PRESETS.find((p) => {
    const r = presetRange(p.id, today);
    return r && r.from === state.from && r.to === state.to;
  });
  const rangeError = !isIsoDay(from) || !isIsoDay(to) ? 'Enter both dates.' : from > to ? 'The start must be on or before the end.' : to > today ? 'The end cannot be after today.' : undefined;

  function applyRange(e: FormEvent) {
    e.preventDefault();
    if (rangeError) return;
    onChange({ ...state, from, to });
  }

  return (
    <section className="card filter-bar" aria-label="Date range and filters">
      {showRange ? (
        <form className="filter-row" onSubmit={applyRange} aria-label="Date range">
          <div className="field">
            <label htmlFor={`${id}-preset`}>Period</label>
            <select
              id={`${id}-preset`}
              value={preset?.id ?? 'custom'}
              onChange={(e) => {
                const r = presetRange(e.target.value, today);
                if (r) onChange({ ...state, ...r, interval: showInterval ? r.interval : state.interval });
              }}
            >
              {RANGE_PRESETS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
              <option value="custom">Custom</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-from`}>From</label>
            <input id={`${id}-from`} type="date" value={from} max={today} onChange={(e) => setFrom(e.target.value)} aria-invalid={rangeError ? true : undefined} aria-describedby={rangeError ? `${id}-range-error` : undefined} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>To</label>
            <input id={`${id}-to`} type="date" value={to} max={today} onChange={(e) => setTo(e.target.value)} aria-invalid={rangeError ? true : undefined} aria-describedby={rangeError ? `${id}-range-error` : undefined} />
          </div>
          {from !== state.from || to !== state.to ? (
            <button type="submit" className="btn btn-secondary" disabled={Boolean(rangeError)}>
              Apply dates
            </button>
          ) : null}
          {showInterval ? (
            <div className="field">
              <label htmlFor={`${id}-interval`}>Interval</label>
              <select id={`${id}-interval`} value={state.interval} onChange={(e) => onChange({ ...state, interval: e.target.value as Interval })}>
                {INTERVALS.map((i) => (
                  <option key={i} value={i}>
                    {INTERVAL_LABELS[i]}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {rangeError && (from !== state.from || to !== state.to) ? (
            <p className="field-error filter-error" id={`${id}-range-error`}>
              {rangeError}
            </p>
          ) : null}
        </form>
      ) : null}
      <SegmentControls state={state} onChange={onChange} canManage={can(org.role, 'export')} />
    </section>
  );
}

function SegmentControls({ state, onChange, canManage }: { state: DashboardState; onChange: (s: DashboardState) => void; canManage: boolean }) {
  const { org } = useOrgContext();
  const id = useId();
  const qc = useQueryClient();
  const views = useQuery({ queryKey: ['orgs', org.id, 'views'], queryFn: () => fetchViews(org.id) });
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const current = views.data?.find((v) => v.id === state.viewId);
  const modified = current ? !sameFilters(fromViewFilters(current.filters), state.filters) : false;

  const save = useMutation({
    mutationFn: () => createView(org.id, name.trim(), toViewFilters(state.filters)),
    onSuccess: (view: SavedView) => {
      void qc.invalidateQueries({ queryKey: ['orgs', org.id, 'views'] });
      setSaving(false);
      setName('');
      onChange({ ...state, viewId: view.id });
    },
  });
  const remove = useMutation({
    mutationFn: (viewId: string) => deleteView(org.id, viewId),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['orgs', org.id, 'views'] });
      onChange({ ...state, viewId: null });
    },
  });

  const n = filterCount(state.filters);
  return (
    <div className="segment-controls">
      <div className="filter-row">
        <div className="field">
          <label htmlFor={`${id}-view`}>Saved view</label>
          <select
            id={`${id}-view`}
            value={state.viewId ?? ''}
            onChange={(e) => {
              const v = views.data?.find((x) => x.id === e.target.value);
              onChange({ ...state, viewId: v?.id ?? null, filters: v ? fromViewFilters(v.filters) : EMPTY_FILTERS });
            }}
          >
            <option value="">All customers</option>
            {(views.data ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="btn btn-secondary" aria-expanded={open} aria-controls={`${id}-filters`} onClick={() => setOpen((o) => !o)}>
          Filters{n > 0 ? ` (${n})` : ''}
        </button>
        {n > 0 ? (
          <button type="button" className="btn btn-secondary" onClick={() => onChange({ ...state, filters: EMPTY_FILTERS, viewId: null })}>
            Clear filters
          </button>
        ) : null}
        {canManage && n > 0 && (!current || modified) && !saving ? (
          <button type="button" className="btn btn-secondary" onClick={() => setSaving(true)}>
            Save as view
          </button>
        ) : null}
        {canManage && current ? (
          <button type="button" className="btn btn-danger-quiet" onClick={() => remove.mutate(current.id)} disabled={remove.isPending}>
            Delete view “{current.name}”
          </button>
        ) : null}
        {modified ? <span className="badge">Changed from the saved view</span> : null}
      </div>
      {saving ? (
        <form
          className="filter-row"
          aria-label="Save view"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) save.mutate();
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-name`}>View name</label>
            <input id={`${id}-name`} type="text" value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={save.isPending || !name.trim()}>
            {save.isPending ? 'Saving…' : 'Save view'}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setSaving(false)}>
            Cancel
          </button>
          {save.isError ? (
            <p className="field-error filter-error" role="alert">
              {describeError(save.error)}
            </p>
          ) : null}
        </form>
      ) : null}
      {remove.isError ? (
        <p className="field-error" role="alert">
          {describeError(remove.error)}
        </p>
      ) : null}
      {open ? <FilterEditor id={`${id}-filters`} filters={state.filters} onApply={(filters) => onChange({ ...state, filters })} /> : null}
    </div>
  );
}

function toggle<T>(list: T[], value: T, on: boolean): T[] {
  return on ? [...new Set([...list, value])] : list.filter((x) => x !== value);
}

function FilterEditor({ id, filters, onApply }: { id: string; filters: Filters; onApply: (f: Filters) => void }) {
  const { org } = useOrgContext();
  const [draft, setDraft] = useState<Filters>(filters);
  const [countries, setCountries] = useState(filters.countries.join(', '));
  const [metaKey, setMetaKey] = useState('');
  const [metaValue, setMetaValue] = useState('');
  useEffect(() => {
    setDraft(filters);
    setCountries(filters.countries.join(', '));
  }, [filters]);
  // The plans and currencies to choose from: what currently earns MRR, unfiltered.
  const plans = useQuery({
    queryKey: ['orgs', org.id, 'metrics', 'plans', 'choices'],
    queryFn: () => fetchPlans(org.id, { from: '', to: '', interval: 'month', filters: EMPTY_FILTERS }),
  });
  const currencies = [...new Set([...(plans.data ?? []).map((p) => p.currency.toUpperCase()), ...draft.currencies])].sort();
  const countryList = countries
    .split(/[\s,]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  const badCountry = countryList.find((c) => !/^[A-Z]{2}$/.test(c));

  function apply(e: FormEvent) {
    e.preventDefault();
    if (badCountry) return;
    onApply({ ...draft, countries: [...new Set(countryList)] });
  }

  return (
    <form id={id} className="filter-editor" onSubmit={apply} aria-label="Filters">
      <fieldset>
        <legend>Plan</legend>
        {plans.isPending ? <p className="field-hint">Loading plans…</p> : null}
        {(plans.data ?? []).length === 0 && !plans.isPending ? <p className="field-hint">No plans earn MRR yet.</p> : null}
        <div className="checkbox-grid">
          {(plans.data ?? []).map((p) => (
            <label key={p.priceId} className="checkbox">
              <input type="checkbox" checked={draft.plans.includes(p.priceId)} onChange={(e) => setDraft({ ...draft, plans: toggle(draft.plans, p.priceId, e.target.checked) })} />
              {planLabel(p)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Currency</legend>
        <div className="checkbox-grid">
          {currencies.map((c) => (
            <label key={c} className="checkbox">
              <input type="checkbox" checked={draft.currencies.includes(c)} onChange={(e) => setDraft({ ...draft, currencies: toggle(draft.currencies, c, e.target.checked) })} />
              {c}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Billing interval</legend>
        <div className="checkbox-grid">
          {BILLING_INTERVALS.map((b) => (
            <label key={b} className="checkbox">
              <input
                type="checkbox"
                checked={draft.billingIntervals.includes(b)}
                onChange={(e) => setDraft({ ...draft, billingIntervals: toggle(draft.billingIntervals, b, e.target.checked) })}
              />
              {BILLING_LABELS[b]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-countries`}>Countries</label>
        <p className="field-hint" id={`${id}-countries-hint`}>
          Two-letter codes, separated by commas (GB, DE, US).
        </p>
        <input
          id={`${id}-countries`}
          type="text"
          value={countries}
          onChange={(e) => setCountries(e.target.value)}
          aria-invalid={badCountry ? true : undefined}
          aria-describedby={`${id}-countries-hint${badCountry ? ` ${id}-countries-error` : ''}`}
        />
        {badCountry ? (
          <p className="field-error" id={`${id}-countries-error`}>
            “{badCountry}” is not a two-letter country code.
          </p>
        ) : null}
      </div>
      <fieldset>
        <legend>Stripe metadata</legend>
        <p className="field-hint">Customers whose Stripe metadata has every pair listed.</p>
        {draft.metadata.length > 0 ? (
          <ul className="plain-list meta-list">
            {draft.metadata.map((m) => (
              <li key={`${m.key}=${m.value}`}>
                <code>
                  {m.key} = {m.value}
                </code>{' '}
                <button type="button" className="btn btn-danger-quiet" onClick={() => setDraft({ ...draft, metadata: draft.metadata.filter((x) => x !== m) })}>
                  Remove<span className="visually-hidden"> {m.key}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <div className="filter-row">
          <div className="field">
            <label htmlFor={`${id}-meta-key`}>Key</label>
            <input id={`${id}-meta-key`} type="text" maxLength={40} value={metaKey} onChange={(e) => setMetaKey(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-meta-value`}>Value</label>
            <input id={`${id}-meta-value`} type="text" maxLength={500} value={metaValue} onChange={(e) => setMetaValue(e.target.value)} />
          </div>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={!metaKey.trim() || !metaValue.trim() || draft.metadata.length >= 10}
            onClick={() => {
              setDraft({ ...draft, metadata: [...draft.metadata, { key: metaKey.trim(), value: metaValue.trim() }] });
              setMetaKey('');
              setMetaValue('');
            }}
          >
            Add condition
          </button>
        </div>
      </fieldset>
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={Boolean(badCountry)}>
          Apply filters
        </button>
      </div>
    </form>
  );
}
