/** The methods of the Reporting API by their Matomo name (`Module.action`). */
import type { Logger } from 'pino';
import type { Access } from '../auth/access.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { Clock } from '../time.js';
import type { ApiParams } from './api-params.js';
import type { ApiValue } from './api-value.js';

/** Everything a method handler gets for one call. */
export interface ApiCall {
  tenant: Tenant;
  access: Access;
  params: ApiParams;
  clock: Clock;
  logger: Logger;
  registry: TenantRegistry;
  /** Every method of the API, for methods such as API.getBulkRequest that run other methods; the HTTP routes always set it. */
  methods?: ApiMethodRegistry;
  /** The host and scheme the request came in on, for URLs the method returns. */
  origin: { host: string; secure: boolean };
  /** The client's IP address, as the sign-in form reads it; used only to count failed password checks. */
  ip: string;
}

/** One documented parameter of a method. */
export interface ApiParameterDoc {
  name: string;
  description: string;
  required?: boolean;
}

/** A Reporting API method. */
export interface ApiMethod {
  /** `Module.action`, spelled as Matomo spells it. */
  name: string;
  /** One sentence for the generated API docs. */
  description: string;
  parameters: readonly ApiParameterDoc[];
  /** Where the method differs from Matomo's, for the generated API docs; empty when it does not. */
  differences?: string;
  handler(call: ApiCall): Promise<ApiValue>;
}

/** Methods by name; a name is matched exactly first, then ignoring case. */
export class ApiMethodRegistry {
  readonly #methods = new Map<string, ApiMethod>();
  readonly #byLowerName = new Map<string, ApiMethod>();

  /** Adds a method. @throws Error when the name is taken, which is a programming error. */
  register(method: ApiMethod): void {
    if (this.#methods.has(method.name)) throw new Error(`API method ${method.name} is registered twice.`);
    this.#methods.set(method.name, method);
    this.#byLowerName.set(method.name.toLowerCase(), method);
  }

  /** Returns the method of a name, or undefined. */
  get(name: string): ApiMethod | undefined {
    return this.#methods.get(name) ?? this.#byLowerName.get(name.toLowerCase());
  }

  /** Returns every method, sorted by name. */
  list(): ApiMethod[] {
    return [...this.#methods.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
