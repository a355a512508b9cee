/** Names of the codes DeviceDetector stores for browsers, operating systems and device types. */

/** Browser names by DeviceDetector's two-letter code (a common subset; other codes are shown as the code). */
export const BROWSER_NAMES: Readonly<Record<string, string>> = {
  CH: 'Chrome', CM: 'Chrome Mobile', CI: 'Chrome Mobile iOS', CR: 'Chromium', FF: 'Firefox', FM: 'Firefox Mobile',
  FE: 'Firefox Mobile iOS', SF: 'Safari', MF: 'Mobile Safari', OP: 'Opera', OM: 'Opera Mobile', OI: 'Opera Mini',
  IE: 'Internet Explorer', IM: 'IE Mobile', PS: 'Microsoft Edge', EM: 'Edge Mobile', SB: 'Samsung Browser',
  UC: 'UC Browser', YA: 'Yandex Browser', BR: 'Brave', VI: 'Vivaldi', DD: 'DuckDuckGo Privacy Browser',
  AW: 'Amazon Silk', AN: 'Android Browser', HU: 'Huawei Browser', MI: 'MIUI Browser', QQ: 'QQ Browser', OV: 'Opera GX',
};

/** Operating system families by DeviceDetector's OS code (a common subset; other codes are their own family). */
export const OS_FAMILIES: Readonly<Record<string, string>> = {
  WIN: 'Windows', WPH: 'Windows Mobile', WMO: 'Windows Mobile', WRT: 'Windows', MAC: 'Mac', IOS: 'iOS', IPA: 'iOS',
  ATV: 'iOS', WAS: 'iOS', AND: 'Android', ADR: 'Android', FIR: 'Android', HAR: 'Android', LIN: 'GNU/Linux',
  UBT: 'GNU/Linux', DEB: 'GNU/Linux', FED: 'GNU/Linux', ARL: 'GNU/Linux', MIN: 'GNU/Linux', MDR: 'GNU/Linux',
  RHT: 'GNU/Linux', SSE: 'GNU/Linux', COS: 'Chrome OS', BSD: 'Unix', FBS: 'Unix', OBS: 'Unix', NBS: 'Unix',
  SOS: 'Unix', KOS: 'KaiOS', TIZ: 'Tizen', WOS: 'webOS', BLB: 'BlackBerry', PS3: 'PlayStation Portable', PSP: 'PlayStation Portable',
};

/** Device type names by DeviceDetector's number. */
export const DEVICE_TYPE_NAMES: readonly string[] = [
  'Desktop', 'Smartphone', 'Tablet', 'Feature phone', 'Console', 'TV', 'Car browser', 'Smart display', 'Camera',
  'Portable media player', 'Phablet', 'Smart speaker', 'Wearable', 'Peripheral',
];
