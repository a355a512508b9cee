/** The archiver of every report module, in the order an archive computes them. */
import type { ReportArchiver } from '../archiving/report-archiver.js';
import { actionsArchiver } from './Actions/actions-archiver.js';
import { customDimensionsArchiver } from './CustomDimensions/custom-dimensions-archiver.js';
import { devicesDetectionArchiver } from './DevicesDetection/devices-detection-archiver.js';
import { eventsArchiver } from './Events/events-archiver.js';
import { goalsArchiver } from './Goals/goals-archiver.js';
import { referrersArchiver } from './Referrers/referrers-archiver.js';
import { resolutionArchiver } from './Resolution/resolution-archiver.js';
import { userCountryArchiver } from './UserCountry/user-country-archiver.js';
import { userLanguageArchiver } from './UserLanguage/user-language-archiver.js';
import { visitFrequencyArchiver } from './VisitFrequency/visit-frequency-archiver.js';
import { visitorInterestArchiver } from './VisitorInterest/visitor-interest-archiver.js';
import { visitsSummaryArchiver } from './VisitsSummary/visits-summary-archiver.js';
import { visitTimeArchiver } from './VisitTime/visit-time-archiver.js';
import { ecommerceItemsArchiver } from './Goals/ecommerce-items-archiver.js';
import { pagePerformanceArchiver } from './PagePerformance/page-performance-archiver.js';

/** Every report module's archiver. */
export const REPORT_ARCHIVERS: readonly ReportArchiver[] = [
  visitsSummaryArchiver,
  actionsArchiver,
  referrersArchiver,
  devicesDetectionArchiver,
  userCountryArchiver,
  eventsArchiver,
  visitTimeArchiver,
  resolutionArchiver,
  visitFrequencyArchiver,
  goalsArchiver,
  customDimensionsArchiver,
  visitorInterestArchiver,
  userLanguageArchiver,
  pagePerformanceArchiver,
  ecommerceItemsArchiver,
];
