/**
 * The rows one tracking batch writes, collected in memory while its hits are recorded and
 * written at the end of the batch's transaction with few statements.
 */

/** A row or a set of column values, by column name. */
export type Row = Record<string, unknown>;

/**
 * Pending writes of one batch. A visit started in the batch is inserted once with its final
 * totals, and a visit of an earlier batch is updated once however many hits it received. The
 * time spent on an action inserted in the same batch goes into its insert.
 */
export class WriteBatch {
  /** New `log_action` rows, with `idaction` set. */
  readonly newActions: Row[] = [];
  /** New `log_visit` rows by `idvisit`. */
  readonly newVisits = new Map<number, Row>();
  /** Changed columns of visits inserted by earlier batches, by `idvisit`. */
  readonly visitUpdates = new Map<number, Row>();
  /** New `log_link_visit_action` rows by `idlink_va`. */
  readonly newActionRows = new Map<number, Row>();
  /** `time_spent` of actions inserted by earlier batches, by `idlink_va`. */
  readonly timeSpentUpdates = new Map<number, number>();
  /** New `log_conversion` rows of goals; e-commerce orders and carts are written at once. */
  readonly newConversions: Row[] = [];

  addConversion(row: Row): void {
    this.newConversions.push(row);
  }

  addAction(row: Row): void {
    this.newActions.push(row);
  }

  /** Adds a new visit; the row is kept (not copied) and gets `idvisit` set. */
  addVisit(idvisit: number, row: Row): void {
    row.idvisit = idvisit;
    this.newVisits.set(idvisit, row);
  }

  /**
   * Sets columns of a visit: in its pending insert when the batch started it, else in its
   * update. The first update of a visit keeps `values` (not copied), so the caller passes a new object.
   */
  updateVisit(idvisit: number, values: Row): void {
    const inserted = this.newVisits.get(idvisit);
    if (inserted) {
      Object.assign(inserted, values);
      return;
    }
    const update = this.visitUpdates.get(idvisit);
    if (update) Object.assign(update, values);
    else this.visitUpdates.set(idvisit, values);
  }

  /** Adds a new action row; the row is kept (not copied) and gets `idlink_va` set. */
  addActionRow(idlinkVa: number, row: Row): void {
    row.idlink_va = idlinkVa;
    this.newActionRows.set(idlinkVa, row);
  }

  setTimeSpent(idlinkVa: number, seconds: number): void {
    const inserted = this.newActionRows.get(idlinkVa);
    if (inserted) inserted.time_spent = seconds;
    else this.timeSpentUpdates.set(idlinkVa, seconds);
  }
}
