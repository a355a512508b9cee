/** The segment selector: all visits, or conditions edited as rows and applied as a Matomo segment. */
import { useState } from 'preact/hooks';
import { buildSegmentDefinition, parseSegmentDefinition, SEGMENT_DIMENSIONS, SEGMENT_OPERATORS, type SegmentCondition, type SegmentOperator } from '../segments';

/** Props of the segment editor; `segment` is the applied definition, '' for all visits. */
export interface SegmentEditorProps {
  segment: string;
  onChange(segment: string): void;
}

const EMPTY_CONDITION: SegmentCondition = { join: 'and', dimension: 'browserCode', operator: '==', value: '' };

/** Shows the applied segment and, when opened, an editor of its conditions. */
export function SegmentEditor({ segment, onChange }: SegmentEditorProps) {
  const [open, setOpen] = useState(false);
  const [conditions, setConditions] = useState<SegmentCondition[]>([]);
  const [text, setText] = useState('');

  const openEditor = () => {
    const parsed = parseSegmentDefinition(segment);
    setConditions(parsed && parsed.length > 0 ? parsed : [{ ...EMPTY_CONDITION }]);
    setText(segment);
    setOpen(true);
  };

  const update = (index: number, change: Partial<SegmentCondition>) => {
    const next = conditions.map((condition, position) => (position === index ? { ...condition, ...change } : condition));
    setConditions(next);
    setText(buildSegmentDefinition(next));
  };

  const apply = (definition: string) => {
    setOpen(false);
    onChange(definition);
  };

  return (
    <div class="segment-control">
      <button type="button" class="segment-button" aria-expanded={open} onClick={() => (open ? setOpen(false) : openEditor())}>
        Segment: <span class="segment-name">{segment === '' ? 'All visits' : segment}</span>
      </button>
      {open && (
        <form class="popover segment-editor" aria-label="Segment editor" onSubmit={(event) => { event.preventDefault(); apply(text.trim()); }}>
          <p class="hint">Conditions joined with OR bind tighter than AND, as in Matomo: a AND b OR c keeps a AND (b OR c).</p>
          {conditions.map((condition, index) => (
            <fieldset class="segment-row" key={index}>
              <legend class="visually-hidden">Condition {index + 1}</legend>
              {index > 0 && (
                <select aria-label={`Join of condition ${index + 1}`} value={condition.join} onChange={(event) => update(index, { join: event.currentTarget.value as 'and' | 'or' })}>
                  <option value="and">AND</option>
                  <option value="or">OR</option>
                </select>
              )}
              <select aria-label={`Dimension of condition ${index + 1}`} value={condition.dimension} onChange={(event) => update(index, { dimension: event.currentTarget.value })}>
                {!SEGMENT_DIMENSIONS.some((dimension) => dimension.name === condition.dimension) && <option value={condition.dimension}>{condition.dimension}</option>}
                {SEGMENT_DIMENSIONS.map((dimension) => <option key={dimension.name} value={dimension.name}>{dimension.group}: {dimension.label}</option>)}
              </select>
              <select aria-label={`Operator of condition ${index + 1}`} value={condition.operator} onChange={(event) => update(index, { operator: event.currentTarget.value as SegmentOperator })}>
                {SEGMENT_OPERATORS.map((entry) => <option key={entry.operator} value={entry.operator}>{entry.name}</option>)}
              </select>
              <input aria-label={`Value of condition ${index + 1}`} value={condition.value} onInput={(event) => update(index, { value: event.currentTarget.value })} />
              <button type="button" aria-label={`Remove condition ${index + 1}`} onClick={() => { const next = conditions.filter((_, position) => position !== index); setConditions(next); setText(buildSegmentDefinition(next)); }}>×</button>
            </fieldset>
          ))}
          <button type="button" onClick={() => setConditions([...conditions, { ...EMPTY_CONDITION }])}>Add a condition</button>
          <label class="field">
            <span>Definition</span>
            <input name="segment-definition" value={text} spellcheck={false} onInput={(event) => { const value = event.currentTarget.value; setText(value); const parsed = parseSegmentDefinition(value); if (parsed) setConditions(parsed); }} />
          </label>
          <div class="actions">
            <button type="submit" class="primary">Apply segment</button>
            <button type="button" onClick={() => apply('')}>All visits</button>
            <button type="button" onClick={() => setOpen(false)}>Cancel</button>
          </div>
        </form>
      )}
    </div>
  );
}
