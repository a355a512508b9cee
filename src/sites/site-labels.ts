/** Human-readable names of a site's time zone and currency, as Matomo shows them next to the codes. */
import { getCountry, getTimezone } from 'countries-and-timezones';

const CURRENCY_NAMES = new Intl.DisplayNames(['en'], { type: 'currency' });
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });
const UTC_OFFSET_PATTERN = /^UTC([+-])([0-9]{1,2})(?:\.(5|25|75))?$/;
const OFFSET_MINUTES: Readonly<Record<string, string>> = { 5: '30', 25: '15', 75: '45' };

/**
 * Returns the name Matomo 5 gives a time zone. A country with one zone gives its English
 * name (`Europe/Paris` is `France`), and a country with several gives `Country - City`
 * (`America/New_York` is `United States - New York`). The offset form `UTC+5.5` gives
 * `UTC+5:30`, and a zone without a country gives its city (`Etc/GMT+2` is `GMT+2`).
 * Country names come from Node's CLDR data, zone-to-country links from countries-and-timezones.
 */
export function describeTimezone(timezone: string): string {
  const offset = UTC_OFFSET_PATTERN.exec(timezone);
  if (timezone === 'UTC' || offset) return describeUtcOffset(offset);

  const city = (timezone.split('/').pop() ?? timezone).replace(/_/g, ' ');
  const countryCode = getTimezone(timezone)?.countries[0];
  const country = countryCode === undefined ? null : getCountry(countryCode);
  if (!countryCode || !country) return city;
  const countryName = REGION_NAMES.of(countryCode) ?? country.name;
  return country.timezones.length > 1 ? `${countryName} - ${city}` : countryName;
}

function describeUtcOffset(offset: RegExpExecArray | null): string {
  if (!offset) return 'UTC';
  const minutes = offset[3] === undefined ? '' : `:${OFFSET_MINUTES[offset[3]]}`;
  return `UTC${offset[1]}${offset[2]}${minutes}`;
}

/** Returns the English name of an ISO 4217 currency (`EUR` is `Euro`), or the code when none is known. */
export function describeCurrency(currency: string): string {
  return CURRENCY_NAMES.of(currency) ?? currency;
}
