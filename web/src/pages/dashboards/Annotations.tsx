// Chart annotations ("price change" on a date): listed under the MRR chart, added and removed by Members
// and Admins (annotations.manage). They appear on the chart as dashed lines.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { useOrgContext } from '../../layout/org-context.js';
import { formatDay } from './format.js';
import { createAnnotation, deleteAnnotation, type Annotation } from './metrics-api.js';
import { isIsoDay } from './query-state.js';

export function canAnnotate(role: string): boolean {
  // Mirrors annotations.manage / views.manage in src/teams/permissions.ts (Admin, Member).
  return role === 'admin' || role === 'member';
}

export function AnnotationsPanel({ annotations, today }: { annotations: Annotation[]; today: string }) {
  const { org } = useOrgContext();
  const id = useId();
  const qc = useQueryClient();
  const [date, setDate] = useState(today);
  const [label, setLabel] = useState('');
  const invalidate = () => void qc.invalidateQueries({ queryKey: ['orgs', org.id, 'annotations'] });
  const add = useMutation({
    mutationFn: () => createAnnotation(org.id, { date, label: label.trim() }),
    onSuccess: () => {
      setLabel('');
      invalidate();
    },
  });
  const remove = useMutation({ mutationFn: (annotationId: string) => deleteAnnotation(org.id, annotationId), onSuccess: invalidate });
  const writable = canAnnotate(org.role);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (isIsoDay(date) && label.trim()) add.mutate();
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Annotations</h2>
      {annotations.length === 0 ? (
        <p className="field-hint">No annotations in this period.{writable ? ' Mark a price change or a launch so the team sees it on the chart.' : ''}</p>
      ) : (
        <ul className="plain-list annotation-list">
          {annotations.map((a) => (
            <li key={a.id}>
              <time dateTime={a.date}>{formatDay(a.date)}</time> <strong>{a.label}</strong>
              {a.note ? <span className="cell-secondary"> — {a.note}</span> : null}
              {writable ? (
                <button type="button" className="btn btn-danger-quiet" onClick={() => remove.mutate(a.id)} disabled={remove.isPending}>
                  Delete<span className="visually-hidden"> annotation {a.label}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {writable ? (
        <form className="filter-row" onSubmit={submit} aria-label="Add an annotation">
          <div className="field">
            <label htmlFor={`${id}-date`}>Date</label>
            <input id={`${id}-date`} type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
          </div>
          <div className="field grow">
            <label htmlFor={`${id}-label`}>Annotation</label>
            <input id={`${id}-label`} type="text" value={label} maxLength={80} placeholder="Price change" onChange={(e) => setLabel(e.target.value)} required />
          </div>
          <button type="submit" className="btn btn-secondary" disabled={add.isPending || !label.trim() || !isIsoDay(date)}>
            {add.isPending ? 'Adding…' : 'Add annotation'}
          </button>
        </form>
      ) : null}
      {add.isError || remove.isError ? (
        <p className="field-error" role="alert">
          {describeError(add.error ?? remove.error)}
        </p>
      ) : null}
    </section>
  );
}
