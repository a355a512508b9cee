import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConversion, createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('Goals.get', () => {
  let fixture: ReportFixture;
  const goals = (extra = '') => fixture.getJson(`method=Goals.get&idSite=${fixture.siteId}&period=day&date=2024-05-03${extra}`);

  before(async () => {
    fixture = await createReportFixture();
    const { db, siteId } = fixture;
    const newVisit = await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-03 10:00:00', visit_goal_converted: 1 });
    await createConversion(db, { idsite: siteId, idvisit: newVisit, idgoal: 1, server_time: '2024-05-03 10:00:00', revenue: 42 });
    await createConversion(db, { idsite: siteId, idvisit: newVisit, idgoal: 2, server_time: '2024-05-03 10:00:00', revenue: 10 });
    const returningVisit = await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-03 11:00:00', visitor_returning: 1, visit_goal_converted: 1 });
    await createConversion(db, { idsite: siteId, idvisit: returningVisit, idgoal: 1, server_time: '2024-05-03 11:00:00', revenue: 1, visitor_returning: 1 });
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-03 12:00:00', visitor_returning: 1 });
    // An e-commerce order is not a goal conversion.
    await createConversion(db, { idsite: siteId, idvisit: returningVisit, idgoal: 0, server_time: '2024-05-03 11:00:00', revenue: 500, visitor_returning: 1, idorder: 'A1' });
    // An abandoned cart is neither a goal conversion nor an order.
    await createConversion(db, { idsite: siteId, idvisit: newVisit, idgoal: -1, server_time: '2024-05-03 10:00:00', revenue: 30, items: 2, idorder: 'abandoned' });
  });

  after(async () => { await fixture.close(); });

  it('returns conversions of all goals split by new and returning visits', async () => {
    assert.deepEqual(await goals(), {
      nb_conversions: 3, nb_visits_converted: 2, revenue: 53, conversion_rate: '66.67%',
      nb_conversions_new_visit: 2, nb_visits_converted_new_visit: 1, revenue_new_visit: 52, conversion_rate_new_visit: '100%',
      nb_conversions_returning_visit: 1, nb_visits_converted_returning_visit: 1, revenue_returning_visit: 1, conversion_rate_returning_visit: '50%',
    });
  });

  it('returns e-commerce order metrics for idGoal=ecommerceOrder', async () => {
    assert.deepEqual(await goals('&idGoal=ecommerceOrder'), {
      nb_conversions: 1, nb_visits_converted: 1, revenue: 500, conversion_rate: '33.33%',
      items: 0, revenue_subtotal: 0, revenue_tax: 0, revenue_shipping: 0, revenue_discount: 0, avg_order_revenue: 500,
    });
  });

  it('returns abandoned cart metrics for idGoal=ecommerceAbandonedCart', async () => {
    assert.deepEqual(await goals('&idGoal=ecommerceAbandonedCart'), {
      nb_conversions: 1, nb_visits_converted: 1, revenue: 30, conversion_rate: '33.33%',
      items: 2, revenue_subtotal: 0, revenue_tax: 0, revenue_shipping: 0, revenue_discount: 0, avg_order_revenue: 30,
    });
  });

  it('restricts to one goal with idGoal', async () => {
    assert.deepEqual(await goals('&idGoal=2&showColumns=nb_conversions,revenue,conversion_rate'), { nb_conversions: 1, revenue: 10, conversion_rate: '33.33%' });
  });

  // Rows list the order and the abandoned cart beside the goals, and their totals count the order but not the cart's lost revenue.
  const rowGoals = {
    'idgoal=1': { nb_conversions: 2, nb_visits_converted: 2, revenue: 43 },
    'idgoal=2': { nb_conversions: 1, nb_visits_converted: 1, revenue: 10 },
    'idgoal=ecommerceOrder': { nb_conversions: 1, nb_visits_converted: 1, revenue: 500, revenue_subtotal: 0, revenue_tax: 0, revenue_shipping: 0, revenue_discount: 0, items: 0 },
    'idgoal=ecommerceAbandonedCart': { nb_conversions: 1, nb_visits_converted: 1, revenue: 30, items: 2 },
  };

  it('adds conversions per goal to report rows', async () => {
    assert.deepEqual(await fixture.getJson(`method=Referrers.getReferrerType&idSite=${fixture.siteId}&period=day&date=2024-05-03`), [{
      label: 'Direct Entry', nb_uniq_visitors: 1, nb_visits: 3, nb_actions: 3, max_actions: 1, sum_visit_length: 0, bounce_count: 3, nb_visits_converted: 2,
      goals: rowGoals, nb_conversions: 4, revenue: 553, segment: 'referrerType==direct', referrer_type: 1,
    }]);
  });

  it('sums conversions of rows over a week', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=DevicesDetection.getBrowsers&idSite=${fixture.siteId}&period=week&date=2024-05-03&label=Firefox&showColumns=nb_conversions,revenue,goals`));
    assert.deepEqual(rows, [{ label: 'Firefox', goals: rowGoals, nb_conversions: 4, revenue: 553 }]);
  });

  it('rejects an idGoal that is not a number', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=Goals.get&idSite=${fixture.siteId}&period=day&date=2024-05-03&idGoal=x`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'PARAMETER_INVALID');
  });
});
