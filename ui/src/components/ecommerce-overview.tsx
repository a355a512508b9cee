/**
 * The E-commerce page: orders, revenue, conversion rate, average order value and abandoned
 * carts from `Goals.get`, and products by SKU, name or category from `Goals.getItemsSku`,
 * `Goals.getItemsName` and `Goals.getItemsCategory`. Each part loads on its own, so a part
 * whose call fails shows its error and the rest of the page still works.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, type ApiCallParams } from '../api-client';
import type { Selection } from '../periods';

/** Props of the e-commerce page; `segment` is a Matomo segment definition, '' for all visits. */
export interface EcommerceOverviewProps {
  site: { idsite: number; name: string };
  selection: Selection;
  segment: string;
  sessionToken: string | null;
  onSessionInvalid(): void;
}

/** `Goals.get` of orders or abandoned carts for one period, or `[]` or null when the period has no visits. */
type OrderMetrics = Record<string, number | string> | [] | null;

/** A part of the page: loading, loaded or failed. */
type Part<T> = { kind: 'loading' } | { kind: 'ready'; value: T } | { kind: 'error'; message: string };

/** A product row as the `Goals.getItems*` reports return it. */
interface ProductRow {
  label: string;
  [column: string]: unknown;
}

const ORDER_METRICS: readonly [string, string][] = [
  ['nb_conversions', 'Orders'], ['revenue', 'Revenue'], ['conversion_rate', 'Conversion rate'], ['avg_order_revenue', 'Average order value'], ['items', 'Products sold'],
];
const CART_METRICS: readonly [string, string][] = [['nb_conversions', 'Abandoned carts'], ['revenue', 'Revenue left in carts']];

/** Product reports: API method and the name of its label column. */
const PRODUCT_REPORTS: readonly [string, string][] = [['Goals.getItemsSku', 'Product SKU'], ['Goals.getItemsName', 'Product name'], ['Goals.getItemsCategory', 'Product category']];
const PRODUCT_COLUMNS: readonly [string, string][] = [
  ['revenue', 'Revenue'], ['quantity', 'Quantity'], ['orders', 'Orders'], ['avg_price', 'Average price'], ['avg_quantity', 'Average quantity'], ['conversion_rate', 'Conversion rate'],
];

function formatValue(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en', { maximumFractionDigits: 2 });
  return value === undefined || value === null ? '–' : String(value);
}

/** Loads one call into a part, and calls `onSessionInvalid` when the session has ended. */
function useApiPart<T>(method: string, params: ApiCallParams, sessionToken: string | null, onSessionInvalid: () => void): Part<T> {
  const [part, setPart] = useState<Part<T>>({ kind: 'loading' });
  const key = method + JSON.stringify(params);
  useEffect(() => {
    const controller = new AbortController();
    setPart({ kind: 'loading' });
    callApi<T>(method, params, sessionToken, controller.signal).then((value) => setPart({ kind: 'ready', value }), (failure: unknown) => {
      if (controller.signal.aborted) return;
      if (failure instanceof ApiError && failure.code === 'SESSION_INVALID') onSessionInvalid();
      else setPart({ kind: 'error', message: failure instanceof Error ? failure.message : String(failure) });
    });
    return () => controller.abort();
  }, [key, sessionToken]);
  return part;
}

function MetricList({ part, metrics, label }: { part: Part<OrderMetrics>; metrics: readonly [string, string][]; label: string }) {
  if (part.kind === 'loading') return <p class="muted" aria-busy="true">Loading {label.toLowerCase()}…</p>;
  if (part.kind === 'error') return <p class="notice error" role="alert">{part.message}</p>;
  // A period without visits comes back as [] (or null), which shows as zeros.
  const values = part.value !== null && !Array.isArray(part.value) ? part.value : {};
  return (
    <dl class="metrics" aria-label={label}>
      {metrics.map(([key, name]) => (
        <div class="metric" data-metric={key} key={key}><dt>{name}</dt><dd>{formatValue(values[key] ?? 0)}</dd></div>
      ))}
    </dl>
  );
}

/** Shows the e-commerce metrics and the product reports of a site. */
export function EcommerceOverview({ site, selection, segment, sessionToken, onSessionInvalid }: EcommerceOverviewProps) {
  const [productReport, setProductReport] = useState(PRODUCT_REPORTS[0]![0]);
  const params: ApiCallParams = { idSite: site.idsite, period: selection.period, date: selection.date };
  if (segment !== '') params.segment = segment;

  const orders = useApiPart<OrderMetrics>('Goals.get', { ...params, idGoal: 'ecommerceOrder' }, sessionToken, onSessionInvalid);
  const carts = useApiPart<OrderMetrics>('Goals.get', { ...params, idGoal: 'ecommerceAbandonedCart' }, sessionToken, onSessionInvalid);
  const products = useApiPart<ProductRow[]>(productReport, { ...params, filter_limit: 100, filter_sort_column: 'revenue', filter_sort_order: 'desc' }, sessionToken, onSessionInvalid);
  const labelName = PRODUCT_REPORTS.find(([method]) => method === productReport)?.[1] ?? 'Product';

  return (
    <section class="panel report" aria-labelledby="ecommerce-title">
      <h2 id="ecommerce-title">E-commerce</h2>
      <h3>Orders</h3>
      <MetricList part={orders} metrics={ORDER_METRICS} label="Orders" />
      <h3>Abandoned carts</h3>
      <MetricList part={carts} metrics={CART_METRICS} label="Abandoned carts" />
      <h3>Products</h3>
      <div class="report-controls">
        <label class="field inline">
          <span>Products by</span>
          <select name="productReport" value={productReport} onChange={(event) => setProductReport(event.currentTarget.value)}>
            {PRODUCT_REPORTS.map(([method, name]) => <option key={method} value={method}>{name.replace('Product ', '').replace(/^./, (first) => first.toUpperCase())}</option>)}
          </select>
        </label>
      </div>
      {products.kind === 'loading' && <p class="muted" aria-busy="true">Loading products…</p>}
      {products.kind === 'error' && <p class="notice error" role="alert">{products.message}</p>}
      {products.kind === 'ready' && (!Array.isArray(products.value) || products.value.length === 0) && (
        <p class="notice" role="status">No product was sold in this period and segment.</p>
      )}
      {products.kind === 'ready' && Array.isArray(products.value) && products.value.length > 0 && (
        <div class="table-scroll">
          <table class="data-table report-table">
            <thead><tr><th scope="col">{labelName}</th>{PRODUCT_COLUMNS.map(([key, name]) => <th scope="col" key={key}>{name}</th>)}</tr></thead>
            <tbody>
              {products.value.map((row, index) => (
                <tr key={`${row.label}-${index}`}><th scope="row">{row.label}</th>{PRODUCT_COLUMNS.map(([key]) => <td key={key}>{formatValue(row[key])}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
