package dev.quiver.online.rocksdb;

/**
 * The rows this process wrote, kept for its next writes of the same keys ({@link WrittenRows}): whole
 * rows for the swaps (tile rows), order headers for the newest-wins writes (latest rows), within one
 * memory bound. Every write of a key records its kind's bytes and forgets the other kind's.
 *
 * @param rows whole rows, as the swaps stored them
 * @param headers order headers of rows the newest-wins writes stored
 */
record KeptRows(WrittenRows rows, WrittenRows headers) {
  /** Places in each kind's table: two-way sets, so about a million keys each (4 MB of references each). */
  static final int PLACES = 1 << 20;

  /** Both kinds within {@code maxBytes} together (keys, bytes, about 64 bytes per entry); 0 keeps nothing. */
  static KeptRows within(long maxBytes) {
    WrittenRows.Budget budget = new WrittenRows.Budget(maxBytes);
    return new KeptRows(new WrittenRows(PLACES, budget), new WrittenRows(PLACES, budget));
  }

  /** Forgets everything (a table dropped); the caller excludes every reader and writer. */
  void clear() {
    rows.clear();
    headers.clear();
  }
}
