/** Superuser page of privacy settings: IP anonymisation, cookieless tracking and Do Not Track, through `PrivacyManager.*`. */
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../api-client';

/** The settings as `PrivacyManager.getAnonymizeIpSettings` returns them. */
interface AnonymizeIpSettings {
  anonymizeIPEnable: boolean;
  maskLength: number;
  useAnonymizedIpForVisitEnrichment: boolean;
  forceCookielessTracking: boolean;
}

/** Props of the privacy page. */
export interface AdminPrivacyProps {
  sessionToken: string;
}

/** Bytes of an IPv4 address that may be masked, with what each leaves of 198.51.100.7. */
const MASK_CHOICES: readonly [number, string][] = [[1, '1 byte (198.51.100.0)'], [2, '2 bytes (198.51.0.0)'], [3, '3 bytes (198.0.0.0)']];

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads `{ value: boolean }`, the shape Matomo's JSON gives a boolean result. */
function readBoolean(result: unknown): boolean {
  return typeof result === 'object' && result !== null ? (result as { value?: unknown }).value === true : result === true;
}

/** Shows and saves the privacy settings of the host. */
export function AdminPrivacy({ sessionToken }: AdminPrivacyProps) {
  const [settings, setSettings] = useState<AnonymizeIpSettings | null>(null);
  const [doNotTrack, setDoNotTrack] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  useEffect(() => {
    Promise.all([
      callApi<AnonymizeIpSettings>('PrivacyManager.getAnonymizeIpSettings', {}, sessionToken),
      callApi<unknown>('PrivacyManager.hasDoNotTrackSupport', {}, sessionToken),
    ]).then(([loaded, dnt]) => {
      // A disabled mask is stored as 0, so the form offers 2 bytes (Footfall's default) for when it is switched on again.
      setSettings({ ...loaded, maskLength: loaded.maskLength > 0 ? loaded.maskLength : 2 });
      setDoNotTrack(readBoolean(dnt));
    }, (error: unknown) => setMessage({ error: true, text: describe(error) }));
  }, [sessionToken]);

  const run = async (action: () => Promise<unknown>, success: string) => {
    try {
      await action();
      setMessage({ error: false, text: success });
    } catch (error) {
      setMessage({ error: true, text: describe(error) });
    }
  };

  const saveAnonymization = (event: Event) => {
    event.preventDefault();
    if (!settings) return;
    void run(() => callApi('PrivacyManager.setAnonymizeIpSettings', {
      anonymizeIPEnable: settings.anonymizeIPEnable ? 1 : 0, maskLength: settings.maskLength,
      useAnonymizedIpForVisitEnrichment: settings.useAnonymizedIpForVisitEnrichment ? 1 : 0,
      forceCookielessTracking: settings.forceCookielessTracking ? 1 : 0,
    }, sessionToken), 'IP anonymisation settings saved. Tracking uses them from the next hit.');
  };

  const saveDoNotTrack = (event: Event) => {
    event.preventDefault();
    const method = doNotTrack ? 'PrivacyManager.activateDoNotTrack' : 'PrivacyManager.deactivateDoNotTrack';
    void run(() => callApi(method, {}, sessionToken), doNotTrack ? 'Do Not Track is now honoured.' : 'Do Not Track is now ignored.');
  };

  return (
    <section class="panel admin" aria-labelledby="admin-privacy-title">
      <h2 id="admin-privacy-title">Privacy</h2>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {settings === null ? <p class="muted" aria-busy="true">Loading the privacy settings…</p> : (
        <>
          <form class="admin-form" aria-label="IP anonymisation" onSubmit={saveAnonymization}>
            <h3>IP anonymisation</h3>
            <label class="checkbox">
              <input type="checkbox" name="anonymizeIPEnable" checked={settings.anonymizeIPEnable} onChange={(event) => setSettings({ ...settings, anonymizeIPEnable: event.currentTarget.checked })} />
              {' '}Anonymise visitor IP addresses before they are stored
            </label>
            <label class="field">
              <span>Bytes masked</span>
              <select name="maskLength" disabled={!settings.anonymizeIPEnable} value={String(settings.maskLength)} onChange={(event) => setSettings({ ...settings, maskLength: Number(event.currentTarget.value) })}>
                {MASK_CHOICES.map(([bytes, name]) => <option key={bytes} value={String(bytes)}>{name}</option>)}
              </select>
              <small class="muted">IPv6 addresses keep 80, 64 or 48 bits.</small>
            </label>
            <label class="checkbox">
              <input type="checkbox" name="useAnonymizedIpForVisitEnrichment" checked={settings.useAnonymizedIpForVisitEnrichment} onChange={(event) => setSettings({ ...settings, useAnonymizedIpForVisitEnrichment: event.currentTarget.checked })} />
              {' '}Also use the anonymised IP address when enriching visits (geolocation is then coarser)
            </label>
            <label class="checkbox">
              <input type="checkbox" name="forceCookielessTracking" checked={settings.forceCookielessTracking} onChange={(event) => setSettings({ ...settings, forceCookielessTracking: event.currentTarget.checked })} />
              {' '}Track without cookies (the tracker script of this host sets none)
            </label>
            <div class="actions"><button type="submit" class="primary">Save IP anonymisation</button></div>
          </form>
          <form class="admin-form" aria-label="Do Not Track" onSubmit={saveDoNotTrack}>
            <h3>Do Not Track</h3>
            <label class="checkbox">
              <input type="checkbox" name="doNotTrack" checked={doNotTrack} onChange={(event) => setDoNotTrack(event.currentTarget.checked)} />
              {' '}Honour Do Not Track: drop hits of browsers that send DNT: 1
            </label>
            <div class="actions"><button type="submit" class="primary">Save Do Not Track</button></div>
          </form>
        </>
      )}
    </section>
  );
}
