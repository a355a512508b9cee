/** Superuser page of the host's general settings, through `CoreAdminHome.getGeneralSettings/setGeneralSettings`. */
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../api-client';

/** The settings as `CoreAdminHome.getGeneralSettings` returns them. */
interface GeneralSettings {
  enableBrowserTriggerArchiving: boolean;
  todayArchiveTimeToLive: number;
  defaultReportPeriod: string;
  defaultReportDate: string;
  defaultTimezone: string;
  defaultCurrency: string;
}

/** Props of the general settings page. */
export interface AdminGeneralProps {
  sessionToken: string;
}

const PERIOD_CHOICES: readonly [string, string][] = [['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['year', 'Year']];
const DATE_CHOICES: readonly [string, string][] = [['today', 'Today'], ['yesterday', 'Yesterday']];

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shows and saves the general settings of the host. */
export function AdminGeneral({ sessionToken }: AdminGeneralProps) {
  const [settings, setSettings] = useState<GeneralSettings | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  useEffect(() => {
    callApi<GeneralSettings>('CoreAdminHome.getGeneralSettings', {}, sessionToken)
      .then(setSettings, (error: unknown) => setMessage({ error: true, text: describe(error) }));
  }, [sessionToken]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!settings) return;
    try {
      await callApi('CoreAdminHome.setGeneralSettings', {
        enableBrowserTriggerArchiving: settings.enableBrowserTriggerArchiving ? 1 : 0, todayArchiveTimeToLive: settings.todayArchiveTimeToLive,
        defaultReportPeriod: settings.defaultReportPeriod, defaultReportDate: settings.defaultReportDate,
        defaultTimezone: settings.defaultTimezone.trim(), defaultCurrency: settings.defaultCurrency.trim().toUpperCase(),
      }, sessionToken);
      setMessage({ error: false, text: 'General settings saved.' });
    } catch (error) {
      setMessage({ error: true, text: describe(error) });
    }
  };

  return (
    <section class="panel admin" aria-labelledby="admin-general-title">
      <h2 id="admin-general-title">General settings</h2>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {settings === null ? <p class="muted" aria-busy="true">Loading the general settings…</p> : (
        <form class="admin-form" aria-label="General settings" onSubmit={save}>
          <h3>Archiving</h3>
          <label class="checkbox">
            <input type="checkbox" name="enableBrowserTriggerArchiving" checked={settings.enableBrowserTriggerArchiving} onChange={(event) => setSettings({ ...settings, enableBrowserTriggerArchiving: event.currentTarget.checked })} />
            {' '}Compute missing reports when they are viewed (otherwise only what core:archive computed is shown)
          </label>
          <label class="field">
            <span>Seconds before today's reports are computed again</span>
            <input type="number" name="todayArchiveTimeToLive" min={0} max={86400} required value={String(settings.todayArchiveTimeToLive)} onInput={(event) => setSettings({ ...settings, todayArchiveTimeToLive: Number(event.currentTarget.value) })} />
          </label>
          <h3>Reports</h3>
          <label class="field">
            <span>Default period</span>
            <select name="defaultReportPeriod" value={settings.defaultReportPeriod} onChange={(event) => setSettings({ ...settings, defaultReportPeriod: event.currentTarget.value })}>
              {PERIOD_CHOICES.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
            </select>
          </label>
          <label class="field">
            <span>Default date</span>
            <select name="defaultReportDate" value={settings.defaultReportDate} onChange={(event) => setSettings({ ...settings, defaultReportDate: event.currentTarget.value })}>
              {DATE_CHOICES.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
            </select>
          </label>
          <h3>New sites</h3>
          <label class="field">
            <span>Default time zone</span>
            <input name="defaultTimezone" required value={settings.defaultTimezone} onInput={(event) => setSettings({ ...settings, defaultTimezone: event.currentTarget.value })} />
            <small class="muted">An IANA name such as Europe/Paris, or UTC.</small>
          </label>
          <label class="field">
            <span>Default currency</span>
            <input name="defaultCurrency" required maxLength={3} value={settings.defaultCurrency} onInput={(event) => setSettings({ ...settings, defaultCurrency: event.currentTarget.value })} />
            <small class="muted">ISO 4217 code such as EUR.</small>
          </label>
          <div class="actions"><button type="submit" class="primary">Save general settings</button></div>
        </form>
      )}
    </section>
  );
}
