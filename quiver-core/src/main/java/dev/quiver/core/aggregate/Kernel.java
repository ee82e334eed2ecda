package dev.quiver.core.aggregate;

/**
 * One aggregate function's implementation: prepare ({@link #create}), update ({@link #add}), merge
 * and finish, and the state's bytes. Every kernel is order-independent: any split of the rows into
 * states, merged in any order, finishes to the same bits as one pass (see {@link Aggregator}),
 * except that first, last and last_k break ties of equal times by the order rows were added.
 */
interface Kernel<S extends AggregateState> {
  S create();

  /** Adds one row; {@code value} is normalised to the input type and is null only for count of rows. */
  void add(S state, Object value, long eventMicros, long createdMicros);

  /** Adds the rows of {@code from} (unchanged) into {@code into}, as added after the rows of {@code into}. */
  void merge(S into, S from);

  S copy(S state);

  /** The result as a Java value of the result type, or null (count gives 0). */
  Object finish(S state);

  void write(S state, StateCodec.Sink out);

  S read(StateCodec.Source in);
}
