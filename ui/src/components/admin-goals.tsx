/** Admin page of a site's goals through `Goals.getGoals/addGoal/updateGoal/deleteGoal`. */
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../api-client';

/** A goal as `Goals.getGoals` returns it, with database values as strings. */
interface Goal {
  idgoal: string;
  name: string;
  description: string;
  match_attribute: string;
  pattern: string;
  pattern_type: string;
  case_sensitive: string;
  allow_multiple: string;
  revenue: string;
}

/** The values of the goal form. */
interface GoalForm {
  name: string;
  description: string;
  matchAttribute: string;
  pattern: string;
  patternType: string;
  caseSensitive: boolean;
  allowMultipleConversionsPerVisit: boolean;
  revenue: string;
}

/** Props of the goals page. */
export interface AdminGoalsProps {
  site: { idsite: number; name: string };
  sessionToken: string;
}

const MATCH_ATTRIBUTES: readonly [string, string][] = [
  ['url', 'Visit a URL'], ['title', 'Visit a page title'], ['file', 'Download a file'], ['external_website', 'Click an outlink'],
  ['event_category', 'Send an event category'], ['event_action', 'Send an event action'], ['event_name', 'Send an event name'], ['manually', 'Manually (trackGoal)'],
];
const PATTERN_TYPES: readonly [string, string][] = [['contains', 'contains'], ['exact', 'is exactly'], ['regex', 'matches the regular expression']];
const EMPTY_GOAL: GoalForm = { name: '', description: '', matchAttribute: 'url', pattern: '', patternType: 'contains', caseSensitive: false, allowMultipleConversionsPerVisit: false, revenue: '' };

function toForm(goal: Goal): GoalForm {
  return {
    name: goal.name, description: goal.description, matchAttribute: goal.match_attribute, pattern: goal.pattern, patternType: goal.pattern_type,
    caseSensitive: goal.case_sensitive === '1', allowMultipleConversionsPerVisit: goal.allow_multiple === '1', revenue: goal.revenue === '0' ? '' : goal.revenue,
  };
}

/** Lists the goals of the selected site and edits one at a time. */
export function AdminGoals({ site, sessionToken }: AdminGoalsProps) {
  const [goals, setGoals] = useState<Goal[] | null>(null);
  const [editing, setEditing] = useState<{ id: number | null; form: GoalForm } | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    setGoals(null);
    callApi<Record<string, Goal> | Goal[]>('Goals.getGoals', { idSite: site.idsite }, sessionToken)
      .then((result) => setGoals(Object.values(result)), (error: unknown) => setMessage({ error: true, text: String((error as Error).message) }));
  }, [site.idsite, reloads]);

  const run = async (action: () => Promise<unknown>, success: string) => {
    try {
      await action();
      setMessage({ error: false, text: success });
      setEditing(null);
      setReloads(reloads + 1);
    } catch (error) {
      setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
    }
  };

  const save = (id: number | null, form: GoalForm) => {
    const params = {
      idSite: site.idsite, name: form.name.trim(), description: form.description, matchAttribute: form.matchAttribute,
      pattern: form.matchAttribute === 'manually' ? '' : form.pattern, patternType: form.patternType, caseSensitive: form.caseSensitive ? 1 : 0,
      allowMultipleConversionsPerVisit: form.allowMultipleConversionsPerVisit ? 1 : 0, revenue: form.revenue.trim() === '' ? 0 : form.revenue.trim(),
    };
    void run(
      () => (id === null ? callApi('Goals.addGoal', params, sessionToken) : callApi('Goals.updateGoal', { ...params, idGoal: id }, sessionToken)),
      id === null ? `Goal '${params.name}' added.` : `Goal '${params.name}' saved.`,
    );
  };

  const remove = (goal: Goal) => {
    if (!window.confirm(`Delete the goal '${goal.name}'? Its past conversions are kept.`)) return;
    void run(() => callApi('Goals.deleteGoal', { idSite: site.idsite, idGoal: goal.idgoal }, sessionToken), `Goal '${goal.name}' deleted.`);
  };

  return (
    <section class="panel admin" aria-labelledby="admin-goals-title">
      <h2 id="admin-goals-title">Goals of {site.name}</h2>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {editing
        ? <GoalEditor id={editing.id} initial={editing.form} onSave={save} onCancel={() => setEditing(null)} />
        : <button type="button" class="primary" onClick={() => setEditing({ id: null, form: EMPTY_GOAL })}>Add a goal</button>}
      {goals === null ? <p class="muted" aria-busy="true">Loading goals…</p> : goals.length === 0 ? <p>This site has no goals yet. Add one to count conversions.</p> : (
        <div class="table-scroll">
          <table class="data-table admin-table">
            <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Matches</th><th scope="col">Revenue</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {goals.map((goal) => (
                <tr key={goal.idgoal}>
                  <td>{goal.idgoal}</td><th scope="row">{goal.name}</th>
                  <td>{goal.match_attribute} {goal.pattern_type} {goal.pattern}</td><td>{goal.revenue}</td>
                  <td class="row-actions">
                    <button type="button" aria-label={`Edit ${goal.name}`} onClick={() => setEditing({ id: Number(goal.idgoal), form: toForm(goal) })}>Edit</button>
                    <button type="button" aria-label={`Delete ${goal.name}`} onClick={() => remove(goal)}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function GoalEditor({ id, initial, onSave, onCancel }: { id: number | null; initial: GoalForm; onSave(id: number | null, form: GoalForm): void; onCancel(): void }) {
  const [form, setForm] = useState(initial);
  return (
    <form class="admin-form" aria-label={id === null ? 'New goal' : `Goal ${id}`} onSubmit={(event) => { event.preventDefault(); onSave(id, form); }}>
      <h3>{id === null ? 'New goal' : `Edit goal ${id}`}</h3>
      <label class="field"><span>Name</span><input name="name" required value={form.name} onInput={(event) => setForm({ ...form, name: event.currentTarget.value })} /></label>
      <label class="field"><span>Description</span><input name="description" value={form.description} onInput={(event) => setForm({ ...form, description: event.currentTarget.value })} /></label>
      <label class="field">
        <span>Converted when visitors</span>
        <select name="matchAttribute" value={form.matchAttribute} onChange={(event) => setForm({ ...form, matchAttribute: event.currentTarget.value })}>
          {MATCH_ATTRIBUTES.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
        </select>
      </label>
      {form.matchAttribute !== 'manually' && (
        <div class="field-row">
          <label class="field">
            <span>Pattern type</span>
            <select name="patternType" value={form.patternType} onChange={(event) => setForm({ ...form, patternType: event.currentTarget.value })}>
              {PATTERN_TYPES.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
            </select>
          </label>
          <label class="field"><span>Pattern</span><input name="pattern" required value={form.pattern} onInput={(event) => setForm({ ...form, pattern: event.currentTarget.value })} /></label>
        </div>
      )}
      <label class="checkbox"><input type="checkbox" name="caseSensitive" checked={form.caseSensitive} onChange={(event) => setForm({ ...form, caseSensitive: event.currentTarget.checked })} /> Case sensitive</label>
      <label class="checkbox"><input type="checkbox" name="allowMultiple" checked={form.allowMultipleConversionsPerVisit} onChange={(event) => setForm({ ...form, allowMultipleConversionsPerVisit: event.currentTarget.checked })} /> Allow more than one conversion per visit</label>
      <label class="field"><span>Default revenue</span><input name="revenue" inputMode="decimal" value={form.revenue} onInput={(event) => setForm({ ...form, revenue: event.currentTarget.value })} /></label>
      <div class="actions">
        <button type="submit" class="primary">{id === null ? 'Add goal' : 'Save goal'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
