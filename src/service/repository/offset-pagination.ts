/**
 * One page of a list, as `toSchema` returns it: the items, the page's `limit` and `offset`, and the
 * `total` number of rows matching the filters. A plain class, so it serialises as those four fields.
 */
export class OffsetPagination<Item> {
  constructor(
    readonly items: Item[],
    readonly limit: number,
    readonly offset: number,
    readonly total: number,
  ) {}
}
