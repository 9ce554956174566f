/** Splits items into consecutive chunks of at most `size`. */
export function chunked<Item>(items: readonly Item[], size: number): Item[][] {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** A chunk size that keeps `valuesPerRow × rows` under `maxValues`, never below one row. */
export function boundedChunkSize(requested: number, valuesPerRow: number, maxValues: number): number {
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new RangeError(`chunkSize must be a whole number of 1 or more (got ${String(requested)}).`);
  }
  return Math.max(1, Math.min(requested, Math.floor(maxValues / Math.max(1, valuesPerRow))));
}
