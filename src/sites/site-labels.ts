/** Human-readable names of a site's time zone and currency, as Matomo shows them next to the codes. */
import { getCountry, getTimezone } from 'countries-and-timezones';

const CURRENCY_NAMES = new Intl.DisplayNames(['en'], { type: 'currency' });
const UTC_OFFSET_PATTERN = /^UTC([+-])([0-9]{1,2})(?:\.(5|25|75))?$/;
const OFFSET_MINUTES: Readonly<Record<string, string>> = { 5: '30', 25: '15', 75: '45' };

/**
 * Returns the name Matomo's time zone list gives a zone: the country's name when the
 * country has one zone (`Europe/Paris` is `France`), `Country - City` when it has several
 * (`America/New_York` is `United States - New York`), and `UTC+5:30` for the offset form
 * `UTC+5.5`. A zone without a country keeps its own name.
 */
export function describeTimezone(timezone: string): string {
  if (timezone === 'UTC') return 'UTC';
  const offset = UTC_OFFSET_PATTERN.exec(timezone);
  if (offset) {
    const minutes = offset[3] === undefined ? '' : `:${OFFSET_MINUTES[offset[3]]}`;
    return `UTC${offset[1]}${offset[2]}${minutes}`;
  }

  const countryCode = getTimezone(timezone)?.countries[0];
  const country = countryCode === undefined ? null : getCountry(countryCode);
  if (!country) return timezone;
  if (country.timezones.length <= 1) return country.name;
  const city = (timezone.split('/').pop() ?? timezone).replace(/_/g, ' ');
  return `${country.name} - ${city}`;
}

/** Returns the English name of an ISO 4217 currency (`EUR` is `Euro`), or the code when none is known. */
export function describeCurrency(currency: string): string {
  return CURRENCY_NAMES.of(currency) ?? currency;
}
