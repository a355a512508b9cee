/**
 * Methods of Matomo's `PrivacyManager` module that set how tracking treats personal data:
 * IP address anonymisation, Do Not Track and cookieless tracking. Each value is a setting of
 * the tenant's config file, so `config:get` shows it and tracking applies it on its next hit.
 */
import { FootfallError, quote } from '../../errors.js';
import type { ApiMethodRegistry, ApiParameterDoc } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';
import { API_SUCCESS, markArrayResult } from '../api-value.js';
import { writeTenantSettings, type SettingChange } from './tenant-settings-writer.js';

/** Bytes of an IPv4 address that may be masked when anonymisation is on, as Matomo's privacy page offers. */
const MASK_LENGTHS = [1, 2, 3] as const;

const SETTINGS_DIFFERENCES = 'Settings apply to every site of the host; a [Tracker_<idSite>] section of the config file still overrides them for its site. '
  + 'anonymizeUserId, anonymizeOrderId and anonymizeReferrer are not supported: only their off value is accepted. passwordConfirmation is not asked for.';

const ANONYMIZE_PARAMETERS: readonly ApiParameterDoc[] = [
  { name: 'anonymizeIPEnable', description: '1 to mask the visitor IP address before it is stored, 0 to store it whole.', required: true },
  { name: 'maskLength', description: 'Bytes of an IPv4 address masked, 1 to 3 (IPv6 keeps 80, 64 or 48 bits); required when anonymizeIPEnable is 1.' },
  { name: 'useAnonymizedIpForVisitEnrichment', description: '1 to geolocate the visitor from the masked address rather than the full one.' },
  { name: 'forceCookielessTracking', description: '1 to make the tenant\'s tracker script set no cookies.' },
  { name: 'anonymizeUserId', description: 'Only 0 is accepted.' },
  { name: 'anonymizeOrderId', description: 'Only 0 is accepted.' },
  { name: 'anonymizeReferrer', description: 'Only an empty value is accepted.' },
];

/** @throws FootfallError PARAMETER_INVALID when an unsupported option is switched on. */
function ensureUnsupportedOptionsOff(params: ApiParams): void {
  for (const name of ['anonymizeUserId', 'anonymizeOrderId']) {
    if (params.bool(name, false)) {
      throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(params.string(name))} for '${name}'. Footfall does not support this option yet. Send 0 or leave it out.`);
    }
  }
  const referrer = params.string('anonymizeReferrer');
  if (referrer !== '') {
    throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(referrer)} for 'anonymizeReferrer'. Footfall does not anonymise referrers yet. Send an empty value or leave it out.`);
  }
}

/** Reads `maskLength` when anonymisation is on. @throws FootfallError PARAMETER_MISSING or PARAMETER_INVALID. */
function readMaskLength(params: ApiParams): number {
  const maskLength = params.requiredInt('maskLength');
  if ((MASK_LENGTHS as readonly number[]).includes(maskLength)) return maskLength;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(maskLength))} for 'maskLength'. Expected ${MASK_LENGTHS.join(', ')} (bytes to mask).`);
}

/** Registers the PrivacyManager methods. */
export function registerPrivacyManagerModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'PrivacyManager.getAnonymizeIpSettings',
    description: 'Returns the IP anonymisation settings of the host. Superusers only.',
    parameters: [],
    differences: 'maskLength is 0 when anonymisation is off, because one setting ([Tracker] ip_address_mask_length) stores both. anonymizeUserId and anonymizeOrderId are always false and anonymizeReferrer always empty.',
    handler: async ({ tenant, access }) => {
      access.ensureSuperuser();
      const maskLength = tenant.settings.int('Tracker', 'ip_address_mask_length');
      return markArrayResult({
        anonymizeIPEnable: maskLength > 0,
        maskLength,
        useAnonymizedIpForVisitEnrichment: tenant.settings.bool('Tracker', 'use_anonymized_ip_for_visit_enrichment'),
        anonymizeUserId: false,
        anonymizeOrderId: false,
        anonymizeReferrer: '',
        forceCookielessTracking: tenant.settings.bool('CustomJsTracker', 'disable_cookies'),
      });
    },
  });

  registry.register({
    name: 'PrivacyManager.setAnonymizeIpSettings',
    description: 'Sets IP anonymisation, whether geolocation uses the masked address, and cookieless tracking for every site of the host. Superusers only.',
    parameters: ANONYMIZE_PARAMETERS,
    differences: SETTINGS_DIFFERENCES,
    handler: async (call) => {
      const { access, params } = call;
      access.ensureSuperuser();
      ensureUnsupportedOptionsOff(params);
      if (!params.has('anonymizeIPEnable')) throw new FootfallError('PARAMETER_MISSING', "Please specify a value for 'anonymizeIPEnable'.");
      const enabled = params.bool('anonymizeIPEnable', false);
      const changes: SettingChange[] = [
        { section: 'Tracker', key: 'ip_address_mask_length', value: String(enabled ? readMaskLength(params) : 0) },
        { section: 'Tracker', key: 'use_anonymized_ip_for_visit_enrichment', value: params.bool('useAnonymizedIpForVisitEnrichment', false) ? '1' : '0' },
      ];
      if (params.has('forceCookielessTracking')) {
        changes.push({ section: 'CustomJsTracker', key: 'disable_cookies', value: params.bool('forceCookielessTracking', false) ? '1' : '0' });
      }
      await writeTenantSettings(call, changes);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'PrivacyManager.hasDoNotTrackSupport',
    description: 'Returns whether tracking drops hits of browsers that send DNT: 1. Needs view access on a site.',
    parameters: [],
    handler: async ({ tenant, access }) => {
      access.ensureSomeViewAccess();
      return tenant.settings.bool('Tracker', 'honor_do_not_track');
    },
  });

  for (const [name, enabled] of [['PrivacyManager.activateDoNotTrack', true], ['PrivacyManager.deactivateDoNotTrack', false]] as const) {
    registry.register({
      name,
      description: enabled
        ? 'Makes tracking drop hits of browsers that send DNT: 1, for every site of the host. Superusers only.'
        : 'Makes tracking record hits of browsers that send DNT: 1, for every site of the host. Superusers only.',
      parameters: [],
      differences: 'A [Tracker_<idSite>] section of the config file still overrides the setting for its site.',
      handler: async (call) => {
        call.access.ensureSuperuser();
        await writeTenantSettings(call, [{ section: 'Tracker', key: 'honor_do_not_track', value: enabled ? '1' : '0' }]);
        return API_SUCCESS;
      },
    });
  }
}
