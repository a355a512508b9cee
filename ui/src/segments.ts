/** Segments as the editor builds them: condition rows joined with AND or OR, written in Matomo's grammar. */

/** A comparison operator of Matomo's segment grammar. */
export type SegmentOperator = '==' | '!=' | '<=' | '>=' | '<' | '>' | '=@' | '!@' | '=^' | '=$';

/** Operators in the order the editor lists them, with their readable names. */
export const SEGMENT_OPERATORS: readonly { operator: SegmentOperator; name: string }[] = [
  { operator: '==', name: 'is' },
  { operator: '!=', name: 'is not' },
  { operator: '=@', name: 'contains' },
  { operator: '!@', name: 'does not contain' },
  { operator: '=^', name: 'starts with' },
  { operator: '=$', name: 'ends with' },
  { operator: '<', name: 'less than' },
  { operator: '<=', name: 'at most' },
  { operator: '>', name: 'greater than' },
  { operator: '>=', name: 'at least' },
];

/** Segment names the editor offers, grouped as the reports are; the server also accepts others. */
export const SEGMENT_DIMENSIONS: readonly { name: string; label: string; group: string }[] = [
  { name: 'visitorType', label: 'Visitor type (new, returning)', group: 'Visit' },
  { name: 'visitCount', label: 'Number of visits', group: 'Visit' },
  { name: 'visitDuration', label: 'Visit duration (seconds)', group: 'Visit' },
  { name: 'actions', label: 'Actions in visit', group: 'Visit' },
  { name: 'visitConverted', label: 'Visit converted (0, 1)', group: 'Visit' },
  { name: 'userId', label: 'User ID', group: 'Visit' },
  { name: 'referrerType', label: 'Channel type', group: 'Acquisition' },
  { name: 'referrerName', label: 'Referrer name', group: 'Acquisition' },
  { name: 'referrerKeyword', label: 'Keyword', group: 'Acquisition' },
  { name: 'referrerUrl', label: 'Referrer URL', group: 'Acquisition' },
  { name: 'browserCode', label: 'Browser code', group: 'Devices' },
  { name: 'operatingSystemCode', label: 'Operating system code', group: 'Devices' },
  { name: 'deviceType', label: 'Device type', group: 'Devices' },
  { name: 'countryCode', label: 'Country code', group: 'Locations' },
  { name: 'continentCode', label: 'Continent code', group: 'Locations' },
  { name: 'city', label: 'City', group: 'Locations' },
  { name: 'languageCode', label: 'Browser language', group: 'Locations' },
  { name: 'pageUrl', label: 'Page URL', group: 'Behaviour' },
  { name: 'pageTitle', label: 'Page title', group: 'Behaviour' },
  { name: 'entryPageUrl', label: 'Entry page URL', group: 'Behaviour' },
  { name: 'exitPageUrl', label: 'Exit page URL', group: 'Behaviour' },
  { name: 'downloadUrl', label: 'Download URL', group: 'Behaviour' },
  { name: 'outlinkUrl', label: 'Outlink URL', group: 'Behaviour' },
  { name: 'siteSearchKeyword', label: 'Site search keyword', group: 'Behaviour' },
  { name: 'eventCategory', label: 'Event category', group: 'Behaviour' },
  { name: 'eventAction', label: 'Event action', group: 'Behaviour' },
  { name: 'eventName', label: 'Event name', group: 'Behaviour' },
];

/** One condition of a segment; `join` links it to the condition before it and is ignored on the first. */
export interface SegmentCondition {
  join: 'and' | 'or';
  dimension: string;
  operator: SegmentOperator;
  value: string;
}

/**
 * Writes conditions as a Matomo segment definition, where `;` is AND and `,` is OR. OR binds
 * tighter in Matomo's grammar. Values are URL-encoded, as Matomo's editor does, so a `,` or
 * `;` in a value cannot split the definition. Conditions without a dimension are skipped.
 *
 * @example buildSegmentDefinition([{ join: 'and', dimension: 'browserCode', operator: '==', value: 'FF' }]) === 'browserCode==FF'
 */
export function buildSegmentDefinition(conditions: readonly SegmentCondition[]): string {
  let definition = '';
  for (const condition of conditions) {
    if (condition.dimension === '') continue;
    const part = `${condition.dimension}${condition.operator}${encodeURIComponent(condition.value)}`;
    definition = definition === '' ? part : `${definition}${condition.join === 'or' ? ',' : ';'}${part}`;
  }
  return definition;
}

const OPERATOR_PATTERN = /^([A-Za-z][A-Za-z0-9_]*)(==|!=|<=|>=|=@|!@|=\^|=\$|<|>)(.*)$/;

/**
 * Reads a definition back into conditions, or returns null when it uses a form the editor
 * cannot show (such as an escaped `\,`), so the caller can keep it as text.
 */
export function parseSegmentDefinition(definition: string): SegmentCondition[] | null {
  if (definition === '') return [];
  if (definition.includes('\\')) return null;
  const conditions: SegmentCondition[] = [];
  for (const [andIndex, andPart] of definition.split(';').entries()) {
    for (const [orIndex, orPart] of andPart.split(',').entries()) {
      const match = OPERATOR_PATTERN.exec(orPart);
      if (!match) return null;
      let value: string;
      try {
        value = decodeURIComponent(match[3]!);
      } catch {
        return null;
      }
      const join = orIndex > 0 ? 'or' : 'and';
      if (andIndex === 0 && orIndex === 0 && join !== 'and') return null;
      conditions.push({ join, dimension: match[1]!, operator: match[2] as SegmentOperator, value });
    }
  }
  return conditions;
}
