/** The menu of pages: the visits overview and every report, grouped as Matomo groups them. */
import { useRef } from 'preact/hooks';
import { REPORT_CATEGORIES } from '../report-list';

/** Props of the menu; `page` is 'overview' or a report's API method. */
export interface NavMenuProps {
  page: string;
  /** Administration pages to list: none, those a site admin may use, or every one for a superuser. */
  adminLevel: AdminLevel;
  onSelect(page: string): void;
}

/** Administration rights of the signed-in user: none, admin of some sites, or superuser. */
export type AdminLevel = 'none' | 'site-admin' | 'superuser';

/** Administration pages: page id, name, and whether only a superuser may open it. */
export const ADMIN_PAGES: readonly [string, string, boolean][] = [
  ['admin-sites', 'Sites', false], ['admin-tracking-code', 'Tracking code', false], ['admin-goals', 'Goals', false], ['admin-users', 'Users', false],
  ['admin-tokens', 'Tokens', false], ['admin-branding', 'Branding', true], ['admin-privacy', 'Privacy', true], ['admin-general', 'General settings', true],
];

/** Screens on which the menu sits beside the page, open; below this width it folds above the page. */
const WIDE_SCREEN_QUERY = '(min-width: 900px)';

/** Shows the menu as native disclosure groups, so it works by keyboard and folds away at 360 px. */
export function NavMenu({ page, adminLevel, onSelect }: NavMenuProps) {
  const detailsRef = useRef<HTMLDetailsElement>(null);
  const select = (target: string) => {
    // On a narrow screen the open menu pushes the page down, so it folds once a page is picked.
    if (detailsRef.current && !window.matchMedia(WIDE_SCREEN_QUERY).matches) detailsRef.current.open = false;
    onSelect(target);
  };
  const link = (target: string, name: string) => (
    <li key={target}>
      <a href={`#page=${encodeURIComponent(target)}`} aria-current={page === target ? 'page' : undefined}
        onClick={(event) => { event.preventDefault(); select(target); }}>{name}</a>
    </li>
  );
  return (
    <nav class="nav-menu" aria-label="Reports">
      <details ref={detailsRef} open={window.matchMedia(WIDE_SCREEN_QUERY).matches}>
        <summary>Menu</summary>
        <h2>Visitors</h2>
        <ul>{link('overview', 'Overview')}{link('visitor-log', 'Visitor log')}</ul>
        {REPORT_CATEGORIES.map((category) => (
          <section key={category.name}>
            {category.name !== 'Visitors' && <h2>{category.name}</h2>}
            {category.sections.map((section) => (
              <div key={section.name}>
                <h3>{section.name}</h3>
                <ul>{section.reports.map((report) => link(report.method, report.name))}</ul>
              </div>
            ))}
          </section>
        ))}
        <h2>Goals</h2>
        <ul>{link('goals', 'Goals overview')}</ul>
        <h2>E-commerce</h2>
        <ul>{link('ecommerce', 'E-commerce overview')}</ul>
        {adminLevel !== 'none' && (
          <section>
            <h2>Administration</h2>
            <ul>{ADMIN_PAGES.filter(([, , superuserOnly]) => adminLevel === 'superuser' || !superuserOnly).map(([target, name]) => link(target, name))}</ul>
          </section>
        )}
      </details>
    </nav>
  );
}
