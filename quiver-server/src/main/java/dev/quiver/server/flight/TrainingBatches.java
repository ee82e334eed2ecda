package dev.quiver.server.flight;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A training set as Arrow record batches, refilled into one root: converted from the engine's rows
 * ({@link ArrowBatches}) or made by the engine itself ({@link EngineBatches}). Not thread-safe, except
 * {@link #cancel()}.
 */
interface TrainingBatches extends AutoCloseable {
  /** Computes the set if it is not yet computed and returns the root that {@link #next()} fills. */
  VectorSchemaRoot root();

  /** Fills the root with the next batch; false when the rows are exhausted. */
  boolean next();

  /** Stops the engine's work from another thread (the client went away); the owner then closes. */
  void cancel();

  @Override
  void close();
}
