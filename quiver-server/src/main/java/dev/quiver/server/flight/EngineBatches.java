package dev.quiver.server.flight;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.ArrowRows;
import dev.quiver.core.offline.PointInTimePlan;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Batches the offline engine made itself ({@link ArrowRows}), checked against the schema the
 * row-by-row path sends ({@link ArrowBatches#schema}): each column's Arrow type (and a list's item
 * type) must be the one its Quiver type maps to. The root sent carries that schema (names and list
 * item names as {@link ArrowBatches} spells them) over the engine's vectors.
 */
final class EngineBatches implements TrainingBatches {
  private final ArrowRows rows;
  private VectorSchemaRoot root;
  private ArrowReader reader;

  EngineBatches(ArrowRows rows) {
    this.rows = rows;
  }

  @Override
  public VectorSchemaRoot root() {
    if (root == null) {
      reader = (ArrowReader) rows.reader();
      try {
        VectorSchemaRoot engine = reader.getVectorSchemaRoot();
        Schema expected = ArrowBatches.schema(rows.columns());
        check(expected, engine.getSchema(), rows.columns());
        root = new VectorSchemaRoot(expected, engine.getFieldVectors(), 0);
      } catch (IOException e) {
        throw new QuiverException("reading the training set's batches failed: " + e.getMessage(), e);
      }
    }
    return root;
  }

  private static void check(Schema expected, Schema actual, List<PointInTimePlan.Column> columns) {
    List<Field> want = expected.getFields();
    List<Field> got = actual.getFields();
    if (want.size() != got.size()) {
      throw new QuiverException("the offline engine's batches have " + got.size() + " columns where the training set has "
          + want.size());
    }
    for (int i = 0; i < want.size(); i++) {
      if (!sameType(want.get(i), got.get(i))) {
        throw new QuiverException("the offline engine's batches carry column '" + columns.get(i).name() + "' ("
            + columns.get(i).type().spelling() + ") as " + got.get(i).getType() + " instead of " + want.get(i).getType());
      }
    }
  }

  private static boolean sameType(Field want, Field got) {
    if (!want.getType().equals(got.getType()) || want.getChildren().size() != got.getChildren().size()) {
      return false;
    }
    for (int i = 0; i < want.getChildren().size(); i++) {
      if (!sameType(want.getChildren().get(i), got.getChildren().get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean next() {
    root();
    try {
      while (reader.loadNextBatch()) {
        int n = reader.getVectorSchemaRoot().getRowCount();
        if (n > 0) {
          root.setRowCount(n);
          return true;
        }
      }
      root.setRowCount(0);
      return false;
    } catch (IOException e) {
      throw new QuiverException("reading the training set's batches failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void cancel() {
    rows.cancel();
  }

  @Override
  public void close() {
    rows.close(); // closes the reader, which owns the vectors the root shares
  }
}
