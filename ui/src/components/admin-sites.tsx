/** Admin page of sites: list, add, edit and delete through `SitesManager.addSite/updateSite/deleteSite`. */
import { useEffect, useState } from 'preact/hooks';
import { callApi, type ApiCallParams } from '../api-client';

/** A site as SitesManager returns it: every column as a string. */
interface SiteDetails {
  idsite: string;
  name: string;
  main_url: string;
  timezone: string;
  currency: string;
  ecommerce: string;
  sitesearch: string;
  sitesearch_keyword_parameters: string;
  sitesearch_category_parameters: string;
  excluded_ips: string;
  excluded_parameters: string;
  excluded_user_agents: string;
}

/** Props of the sites page; `onSitesChanged` reloads the site selector after a change. */
export interface AdminSitesProps {
  sessionToken: string;
  /** Whether the user is a superuser, who may add and delete sites; a site admin only edits the sites it administers. */
  superuser: boolean;
  onSitesChanged(): void;
}

/** The values of the site form, as the user types them. */
interface SiteForm {
  name: string;
  urls: string;
  timezone: string;
  currency: string;
  ecommerce: boolean;
  siteSearch: boolean;
  searchKeywordParameters: string;
  searchCategoryParameters: string;
  excludedIps: string;
  excludedQueryParameters: string;
  excludedUserAgents: string;
}

const EMPTY_FORM: SiteForm = {
  name: '', urls: '', timezone: 'UTC', currency: 'USD', ecommerce: false, siteSearch: true, searchKeywordParameters: '',
  searchCategoryParameters: '', excludedIps: '', excludedQueryParameters: '', excludedUserAgents: '',
};

/** Turns one value per line (or comma-separated) into the API's comma-separated list. */
function toList(text: string): string {
  return text.split(/[\n,]/).map((entry) => entry.trim()).filter((entry) => entry !== '').join(',');
}

function toForm(site: SiteDetails, urls: string[]): SiteForm {
  return {
    name: site.name, urls: urls.join('\n'), timezone: site.timezone, currency: site.currency, ecommerce: site.ecommerce === '1',
    siteSearch: site.sitesearch === '1', searchKeywordParameters: site.sitesearch_keyword_parameters, searchCategoryParameters: site.sitesearch_category_parameters,
    excludedIps: site.excluded_ips.split(',').join('\n'), excludedQueryParameters: site.excluded_parameters.split(',').join('\n'),
    excludedUserAgents: site.excluded_user_agents.split(',').join('\n'),
  };
}

function toParams(form: SiteForm): ApiCallParams {
  return {
    siteName: form.name.trim(), urls: toList(form.urls), timezone: form.timezone.trim(), currency: form.currency.trim().toUpperCase(),
    ecommerce: form.ecommerce ? 1 : 0, siteSearch: form.siteSearch ? 1 : 0, searchKeywordParameters: toList(form.searchKeywordParameters),
    searchCategoryParameters: toList(form.searchCategoryParameters), excludedIps: toList(form.excludedIps),
    excludedQueryParameters: toList(form.excludedQueryParameters), excludedUserAgents: toList(form.excludedUserAgents),
  };
}

/** Lists the sites and edits one at a time. */
export function AdminSites({ sessionToken, superuser, onSitesChanged }: AdminSitesProps) {
  const [sites, setSites] = useState<SiteDetails[] | null>(null);
  const [editing, setEditing] = useState<{ id: number | null; form: SiteForm } | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    callApi<SiteDetails[]>(superuser ? 'SitesManager.getSitesWithAtLeastViewAccess' : 'SitesManager.getSitesWithAdminAccess', {}, sessionToken)
      .then((rows) => setSites(Array.isArray(rows) ? rows : []), (error: unknown) => setMessage({ error: true, text: String((error as Error).message) }));
  }, [reloads]);

  const run = async (action: () => Promise<unknown>, success: string) => {
    try {
      await action();
      setMessage({ error: false, text: success });
      setEditing(null);
      setReloads(reloads + 1);
      onSitesChanged();
    } catch (error) {
      setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
    }
  };

  const edit = async (site: SiteDetails) => {
    const urls = await callApi<string[]>('SitesManager.getSiteUrlsFromId', { idSite: site.idsite }, sessionToken);
    setEditing({ id: Number(site.idsite), form: toForm(site, Array.isArray(urls) ? urls : [site.main_url]) });
  };

  const save = (id: number | null, form: SiteForm) => run(
    () => (id === null ? callApi('SitesManager.addSite', toParams(form), sessionToken) : callApi('SitesManager.updateSite', { idSite: id, ...toParams(form) }, sessionToken)),
    id === null ? `Site '${form.name.trim()}' added.` : `Site '${form.name.trim()}' saved.`,
  );

  const remove = (site: SiteDetails) => {
    if (!window.confirm(`Delete the site '${site.name}' and all of its data? This cannot be undone.`)) return;
    void run(() => callApi('SitesManager.deleteSite', { idSite: site.idsite }, sessionToken), `Site '${site.name}' deleted.`);
  };

  return (
    <section class="panel admin" aria-labelledby="admin-sites-title">
      <h2 id="admin-sites-title">Sites</h2>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {editing
        ? <SiteEditor id={editing.id} initial={editing.form} onSave={save} onCancel={() => setEditing(null)} />
        : superuser && <button type="button" class="primary" onClick={() => setEditing({ id: null, form: EMPTY_FORM })}>Add a site</button>}
      {sites === null ? <p class="muted" aria-busy="true">Loading sites…</p> : (
        <div class="table-scroll">
          <table class="data-table admin-table">
            <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Time zone</th><th scope="col">Currency</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {sites.map((site) => (
                <tr key={site.idsite}>
                  <td>{site.idsite}</td><th scope="row">{site.name}</th><td>{site.main_url}</td><td>{site.timezone}</td><td>{site.currency}</td>
                  <td class="row-actions">
                    <button type="button" aria-label={`Edit ${site.name}`} onClick={() => void edit(site)}>Edit</button>
                    {superuser && <button type="button" aria-label={`Delete ${site.name}`} onClick={() => remove(site)}>Delete</button>}
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

function SiteEditor({ id, initial, onSave, onCancel }: { id: number | null; initial: SiteForm; onSave(id: number | null, form: SiteForm): void; onCancel(): void }) {
  const [form, setForm] = useState(initial);
  const text = (key: keyof SiteForm, label: string, options: { multiline?: boolean; hint?: string; required?: boolean } = {}) => (
    <label class="field">
      <span>{label}</span>
      {options.multiline
        ? <textarea name={key} rows={3} value={String(form[key])} onInput={(event) => setForm({ ...form, [key]: event.currentTarget.value })} />
        : <input name={key} required={options.required} value={String(form[key])} onInput={(event) => setForm({ ...form, [key]: event.currentTarget.value })} />}
      {options.hint && <small class="muted">{options.hint}</small>}
    </label>
  );
  const check = (key: 'ecommerce' | 'siteSearch', label: string) => (
    <label class="checkbox"><input type="checkbox" name={key} checked={form[key]} onChange={(event) => setForm({ ...form, [key]: event.currentTarget.checked })} /> {label}</label>
  );
  return (
    <form class="admin-form" aria-label={id === null ? 'New site' : `Site ${id}`} onSubmit={(event) => { event.preventDefault(); onSave(id, form); }}>
      <h3>{id === null ? 'New site' : `Edit site ${id}`}</h3>
      {text('name', 'Name', { required: true })}
      {text('urls', 'URLs', { multiline: true, hint: 'One per line; the first is the main URL.' })}
      {text('timezone', 'Time zone', { hint: 'An IANA name such as Europe/Paris, or UTC.' })}
      {text('currency', 'Currency', { hint: 'ISO 4217 code such as EUR.' })}
      {check('ecommerce', 'E-commerce site')}
      {check('siteSearch', 'Track site search')}
      {text('searchKeywordParameters', 'Site search keyword parameters', { hint: 'Empty uses the defaults (q, query, s, search, searchword, k, keyword).' })}
      {text('searchCategoryParameters', 'Site search category parameters')}
      {text('excludedIps', 'Excluded IP addresses', { multiline: true, hint: 'One per line: an address, a CIDR range or 192.0.2.*' })}
      {text('excludedQueryParameters', 'Excluded URL query parameters', { multiline: true })}
      {text('excludedUserAgents', 'Excluded user agents', { multiline: true, hint: 'Substrings, one per line.' })}
      <div class="actions">
        <button type="submit" class="primary">{id === null ? 'Add site' : 'Save site'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
