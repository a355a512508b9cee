/**
 * Generated combined access logs for the import benchmark, in two shapes:
 *
 * - `visits`: visits as a site's log has them. Each visit starts at a random time of the day,
 *   has a few pageviews a minute or so apart and ends, and a third of the visits come from a
 *   visitor seen earlier that day. Page popularity follows a Zipf law.
 * - `all-day`: the writer's worst case. 20,000 visitors each request a page every 28.8
 *   minutes, inside the 30-minute visit window, so every visit lasts the whole day and
 *   every line continues a visit that an earlier batch wrote.
 *
 * Both shapes are deterministic: the same shape and line count give the same file.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRandom, createZipfSampler } from './seeded-random.js';

/** Shapes of generated logs, as `BENCH_LOG_SHAPE` names them. */
export const ACCESS_LOG_SHAPES = ['visits', 'all-day'] as const;
export type AccessLogShape = (typeof ACCESS_LOG_SHAPES)[number];

/** User agent templates of six browsers, by major version and build number. */
const BROWSERS = [
  (major: number, build: number): string => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${major}.0) Gecko/20100101 Firefox/${major}.0.${build}`,
  (major: number, build: number): string => `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${major % 8}_${build} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${major % 8} Mobile/15E${148 + build} Safari/604.1`,
  (major: number, build: number): string => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${build}.0 Safari/537.36`,
  (major: number, build: number): string => `Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${build}.0 Mobile Safari/537.36`,
  (major: number, build: number): string => `Mozilla/5.0 (Macintosh; Intel Mac OS X 14_${major % 8}_${build}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${major % 8} Safari/605.1.15`,
  (major: number, build: number): string => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${build}.0 Safari/537.36 Edg/${major}.0.${build}.0`,
];
/** Major versions per browser before the build number changes. */
const MAJOR_VERSIONS = 10;
/** User agents of the `visits` shape by default: six browsers in ten versions each. */
export const DEFAULT_VISIT_USER_AGENTS = BROWSERS.length * MAJOR_VERSIONS;

/** Returns `count` distinct user agents: the six browsers in turn, then ten major versions, then build numbers. */
function buildUserAgents(count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const browser = BROWSERS[index % BROWSERS.length]!;
    const major = 115 + (Math.floor(index / BROWSERS.length) % MAJOR_VERSIONS);
    return browser(major, Math.floor(index / DEFAULT_VISIT_USER_AGENTS));
  });
}

/** User agents of the `all-day` shape, as earlier runs of the benchmark used them. */
const ALL_DAY_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAY_SECONDS = 86_400;
/** Distinct page paths of the `visits` shape. */
const VISIT_PAGES = 2_000;
/** Share of the `visits` shape's visits that come from a visitor seen before. */
const RETURNING_SHARE = 0.33;
/** Chance that a visit goes on after each pageview: 0.75 gives four pageviews on average. */
const CONTINUE_CHANCE = 0.75;
const MAX_PAGEVIEWS_PER_VISIT = 40;

/** Formats a time as Apache does, in UTC: `05/Nov/2026:10:00:00 +0000`. */
function apacheTime(time: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}

/** The pageviews of a generated log, sorted by time: per line, its second of the day, visitor, page and place in its visit. */
interface GeneratedHits {
  seconds: Float64Array;
  visitors: Uint32Array;
  pages: Uint32Array;
  /** 0 for the first pageview of a visit, else the page of the pageview before. */
  previousPages: Int32Array;
  firstOfVisit: Uint8Array;
  count: number;
}

/** Generates `count` pageviews of the `visits` shape and sorts them by time. */
function generateVisitHits(count: number): GeneratedHits {
  const random = createRandom(20_261_205);
  const page = createZipfSampler(VISIT_PAGES, random);
  const seconds = new Float64Array(count);
  const visitors = new Uint32Array(count);
  const pages = new Uint32Array(count);
  const previousPages = new Int32Array(count);
  const firstOfVisit = new Uint8Array(count);
  let visitorCount = 0;
  let written = 0;
  while (written < count) {
    const visitor = visitorCount > 0 && random() < RETURNING_SHARE ? Math.floor(random() * visitorCount) : visitorCount++;
    let time = random() * DAY_SECONDS;
    let previous = -1;
    for (let pageview = 0; pageview < MAX_PAGEVIEWS_PER_VISIT && written < count; pageview += 1) {
      const current = page();
      seconds[written] = time;
      visitors[written] = visitor;
      pages[written] = current;
      previousPages[written] = previous;
      firstOfVisit[written] = pageview === 0 ? 1 : 0;
      written += 1;
      previous = current;
      if (random() >= CONTINUE_CHANCE) break;
      // Reading times from 5 s, about a minute on average. No line is dated after about 10 minutes before now.
      time = Math.min(time + 5 - Math.log(1 - random()) * 55, DAY_SECONDS + 3_000);
    }
  }

  const order = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) order[index] = index;
  order.sort((left, right) => seconds[left]! - seconds[right]!);
  const sorted: GeneratedHits = {
    seconds: new Float64Array(count), visitors: new Uint32Array(count), pages: new Uint32Array(count),
    previousPages: new Int32Array(count), firstOfVisit: new Uint8Array(count), count,
  };
  order.forEach((from, to) => {
    sorted.seconds[to] = seconds[from]!;
    sorted.visitors[to] = visitors[from]!;
    sorted.pages[to] = pages[from]!;
    sorted.previousPages[to] = previousPages[from]!;
    sorted.firstOfVisit[to] = firstOfVisit[from]!;
  });
  return sorted;
}

/** Returns the IPv4 address of visitor number `visitor` in 10.0.0.0/8. */
function visitorIp(visitor: number): string {
  return `10.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.${visitor & 255}`;
}

/** Returns the external referrer of a visit's first pageview: a search engine, another site, or none, by the visitor's number. */
function entryReferrer(visitor: number, index: number): string {
  const kind = visitor % 5;
  if (kind < 2) return `https://www.google.com/search?q=footfall+${index % 97}`;
  if (kind === 2) return `https://blog.example.org/post-${visitor % 300}`;
  return '-';
}

/** Returns the path of page `page` of the `visits` shape, one in ten with a query string that differs per line. */
function visitPagePath(page: number, index: number): string {
  const path = `/section-${page % 20}/page-${page}`;
  return index % 10 === 0 ? `${path}?ref=${index}` : path;
}

/**
 * Writes `count` lines of the given shape to `path`, dated over the 25 hours before now. The
 * `visits` shape spreads `userAgentCount` distinct user agents over its visitors.
 */
export async function generateAccessLog(path: string, count: number, shape: AccessLogShape, userAgentCount = DEFAULT_VISIT_USER_AGENTS): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.now() - 25 * 3_600_000;
  if (shape === 'all-day') {
    for (let index = 0; index < count; index += 1) {
      const visitor = index % 20_000;
      const time = apacheTime(new Date(start + Math.floor((index / count) * DAY_SECONDS * 1000)));
      const line = `${visitorIp(visitor)} - - [${time}] "GET /page/${index % 997}?id=${index} HTTP/1.1" 200 ${1000 + (index % 5000)} "https://search.example.net/?q=${index % 97}" "${ALL_DAY_USER_AGENTS[visitor % ALL_DAY_USER_AGENTS.length]}"\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
  } else {
    const hits = generateVisitHits(count);
    const userAgents = buildUserAgents(userAgentCount);
    for (let index = 0; index < hits.count; index += 1) {
      const visitor = hits.visitors[index]!;
      const time = apacheTime(new Date(start + Math.floor(hits.seconds[index]! * 1000)));
      const previous = hits.previousPages[index]!;
      const referrer = hits.firstOfVisit[index] === 1 || previous < 0
        ? entryReferrer(visitor, index)
        : `https://www.example.com${visitPagePath(previous, 1)}`;
      const userAgent = userAgents[(visitor * 7) % userAgents.length];
      const line = `${visitorIp(visitor)} - - [${time}] "GET ${visitPagePath(hits.pages[index]!, index)} HTTP/1.1" 200 ${1000 + (index % 5000)} "${referrer}" "${userAgent}"\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}
