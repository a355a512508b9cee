/** Archiving of DevicesDetection: visits by device type, browser and operating system family. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { archiveCombinedDimensionTable, archiveDimensionTable, segmentValue, type DimensionValue } from '../dimension-table.js';
import { BROWSER_NAMES, DEVICE_TYPE_NAMES, OS_FAMILIES } from './device-names.js';

const ICONS = 'plugins/Morpheus/icons/dist';

/** Returns the family of each OS code as a CASE expression, so visits are grouped by family in SQL. */
function osFamilyExpression() {
  const families = [...new Set(Object.values(OS_FAMILIES))];
  const column = sql.ref('log_visit.config_os');
  const branches = families.map((family) => {
    const codes = Object.entries(OS_FAMILIES).filter(([, name]) => name === family).map(([code]) => code);
    return sql`when ${column} in (${sql.join(codes)}) then ${family}`;
  });
  return sql`case ${sql.join(branches, sql` `)} else ${column} end`;
}

function textOrUnknown(value: DimensionValue | undefined): string {
  return value === null || value === undefined || value === '' ? 'Unknown' : String(value);
}

function familyCodes(family: string): string[] {
  const codes = Object.entries(OS_FAMILIES).filter(([, name]) => name === family).map(([code]) => code);
  return codes.length > 0 ? codes : [family];
}

/** Computes the DevicesDetection report tables of a day. */
export const devicesDetectionArchiver: ReportArchiver = {
  module: 'DevicesDetection',

  async archiveDay(query) {
    const types = await archiveDimensionTable(query, {
      dimension: sql.ref('log_visit.config_device_type'),
      describe: (value) => {
        const name = value === null ? undefined : DEVICE_TYPE_NAMES[Number(value)];
        if (name === undefined) return { label: 'Unknown', metadata: { logo: `${ICONS}/devices/unknown.png`, segment: 'deviceType==' } };
        return { label: name, metadata: { logo: `${ICONS}/devices/${name.toLowerCase().replace(/ /g, '_')}.png`, segment: `deviceType==${segmentValue(name.toLowerCase())}` } };
      },
    });
    const browsers = await archiveDimensionTable(query, {
      dimension: sql.ref('log_visit.config_browser_name'),
      describe: (value) => {
        const code = value === null || value === '' ? 'UNK' : String(value);
        return { label: code === 'UNK' ? 'Unknown' : BROWSER_NAMES[code] ?? code, metadata: { logo: `${ICONS}/browsers/${code}.png`, segment: `browserCode==${segmentValue(code)}` } };
      },
    });
    const osFamilies = await archiveDimensionTable(query, {
      dimension: osFamilyExpression(),
      describe: (value) => {
        const family = value === null || value === '' || value === 'UNK' ? 'Unknown' : String(value);
        const codes = family === 'Unknown' ? ['UNK'] : familyCodes(family);
        return { label: family, metadata: { logo: `${ICONS}/os/${codes[0]}.png`, segment: codes.map((code) => `operatingSystemCode==${segmentValue(code)}`).join(',') } };
      },
    });
    const column = (name: string) => sql.ref(`log_visit.${name}`);
    const browserVersions = await archiveCombinedDimensionTable(query, [column('config_browser_name'), column('config_browser_version')], ([code, version]) => {
      const browser = code === null || code === '' || code === 'UNK' ? 'UNK' : String(code);
      const name = browser === 'UNK' ? 'Unknown' : BROWSER_NAMES[browser] ?? browser;
      return { label: version && browser !== 'UNK' ? `${name} ${version}` : name, metadata: { logo: `${ICONS}/browsers/${browser}.png` } };
    });
    const osVersions = await archiveCombinedDimensionTable(query, [column('config_os'), column('config_os_version')], ([code, version]) => {
      const os = code === null || code === '' || code === 'UNK' ? 'UNK' : String(code);
      const name = os === 'UNK' ? 'Unknown' : OS_FAMILIES[os] ?? os;
      return { label: version && os !== 'UNK' ? `${name} ${version}` : name, metadata: { logo: `${ICONS}/os/${os}.png` } };
    });
    const brands = await archiveDimensionTable(query, { dimension: column('config_device_brand'), describe: (value) => ({ label: textOrUnknown(value) }) });
    const models = await archiveCombinedDimensionTable(query, [column('config_device_brand'), column('config_device_model')], ([brand, model]) => ({
      label: brand ? `${brand} - ${textOrUnknown(model)}` : textOrUnknown(model),
    }));
    const engines = await archiveDimensionTable(query, { dimension: column('config_browser_engine'), describe: (value) => ({ label: textOrUnknown(value) }) });
    return {
      numerics: {},
      reports: {
        DevicesDetection_getType: types, DevicesDetection_getBrowsers: browsers, DevicesDetection_getOsFamilies: osFamilies,
        DevicesDetection_getBrowserVersions: browserVersions, DevicesDetection_getOsVersions: osVersions,
        DevicesDetection_getBrand: brands, DevicesDetection_getModel: models, DevicesDetection_getBrowserEngines: engines,
      },
    };
  },
};
