package dev.quiver.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A feature log buffer's chunks as the Arrow stream its roll hands DuckDB ({@link FeatureLogBatches#copy}): oldest
 * first, in pieces of at most {@code pieceRows} rows (a slice of a chunk, or the whole chunk moved into the
 * reader's root), each chunk released once read and taken off the queue; the pacer is called before each piece,
 * on the thread DuckDB reads on. The statuses' dictionary of names is filled when the stream starts.
 */
final class FeatureLogChunkReader extends ArrowReader {
  private final ArrayDeque<VectorSchemaRoot> chunks;
  private final Schema schema;
  private final FeatureLogPacer pacer;
  private final int pieceRows;
  /** Rows of the oldest chunk already read. */
  private int offset;

  FeatureLogChunkReader(BufferAllocator allocator, ArrayDeque<VectorSchemaRoot> chunks, Schema schema, FeatureLogPacer pacer,
      int pieceRows) {
    super(allocator);
    this.chunks = chunks;
    this.schema = schema;
    this.pacer = pacer;
    this.pieceRows = pieceRows;
  }

  @Override
  public boolean loadNextBatch() throws java.io.IOException {
    pacer.between();
    prepareLoadNextBatch();
    VectorSchemaRoot chunk = chunks.peek();
    if (chunk == null) {
      return false;
    }
    int n = Math.min(pieceRows, chunk.getRowCount() - offset);
    if (offset == 0 && n == chunk.getRowCount()) {
      try (ArrowRecordBatch batch = new VectorUnloader(chunk).getRecordBatch()) {
        loadRecordBatch(batch);
      }
    } else {
      try (VectorSchemaRoot piece = chunk.slice(offset, n); ArrowRecordBatch batch = new VectorUnloader(piece).getRecordBatch()) {
        loadRecordBatch(batch);
      }
    }
    offset += n;
    if (offset == chunk.getRowCount()) {
      chunks.poll().close();
      offset = 0;
    }
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    // the chunks left (none after a full read) are released by FeatureLogBatches#close
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }

  /** Fills the statuses' dictionary, which the stream exports with the chunks (their codes index it). */
  @Override
  protected void initialize() throws java.io.IOException {
    super.initialize();
    for (Dictionary d : dictionaries.values()) {
      VarCharVector names = (VarCharVector) d.getVector();
      List<String> all = FeatureLogSchema.statusNames();
      names.allocateNew(all.size());
      for (int i = 0; i < all.size(); i++) {
        names.setSafe(i, all.get(i).getBytes(StandardCharsets.US_ASCII));
      }
      names.setValueCount(all.size());
    }
  }
}
