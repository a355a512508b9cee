/** A Kysely plugin that adds the tenant's `tables_prefix` to every table name. */
import {
  IdentifierNode,
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SchemableIdentifierNode,
  type UnknownRow,
} from 'kysely';
import { TABLE_NAMES } from './schema.js';

const KNOWN_TABLES: ReadonlySet<string> = new Set(TABLE_NAMES);

// Only the names of real tables are prefixed, so a query must not use a table name as an
// alias; that keeps this transformer free of the alias bookkeeping a general one needs.
class TablePrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;

  constructor(prefix: string) {
    super();
    this.#prefix = prefix;
  }

  protected override transformSchemableIdentifier(node: SchemableIdentifierNode): SchemableIdentifierNode {
    const transformed = super.transformSchemableIdentifier(node);
    const name = transformed.identifier.name;
    if (!KNOWN_TABLES.has(name)) return transformed;
    return { ...transformed, identifier: IdentifierNode.create(this.#prefix + name) };
  }
}

/**
 * Prefixes the tables of `schema.ts` (Matomo's `tables_prefix`, usually `matomo_`).
 * Queries are written with the unprefixed names.
 */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #transformer: TablePrefixTransformer;

  constructor(prefix: string) {
    this.#transformer = new TablePrefixTransformer(prefix);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
