package dev.quiver.server.flight;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Flight client that speaks as Feast's {@code remote.py} does: a JSON command in the descriptor,
 * the entity rows uploaded as Arrow (timestamps in nanoseconds with zone UTC, as pandas sends them),
 * the answer read batch by batch.
 */
final class FlightClientAccess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What came back: the schema, the rows (Arrow's Java objects), and how many batches carried them. */
  record Answer(Schema schema, List<Object[]> rows, int batches) {}

  final BufferAllocator allocator = new RootAllocator();
  final FlightClient client;
  private final CallOption[] options;

  FlightClientAccess(int port, String token) {
    client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build();
    if (token == null) {
      options = new CallOption[0];
    } else {
      CallHeaders h = new FlightCallHeaders();
      h.insert("authorization", "Bearer " + token);
      options = new CallOption[] {new HeaderCallOption(h)};
    }
  }

  static byte[] command(Map<String, Object> command) {
    try {
      return JSON.writeValueAsString(command).getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A do_exchange: uploads the rows (null: Feast's placeholder table) in batches of {@code uploadBatch}, reads the answer. */
  Answer exchange(Map<String, Object> command, List<FlightRepo.QueryRow> rows, int uploadBatch) throws Exception {
    try (FlightClient.ExchangeReaderWriter rw = client.doExchange(FlightDescriptor.command(command(command)), options)) {
      upload(rw.getWriter(), rows, uploadBatch);
      FlightStream reader = rw.getReader();
      List<Object[]> out = new ArrayList<>();
      int batches = 0;
      Schema schema = null;
      while (reader.next()) {
        VectorSchemaRoot root = reader.getRoot();
        schema = root.getSchema();
        if (root.getRowCount() > 0) {
          batches++;
        }
        for (int i = 0; i < root.getRowCount(); i++) {
          Object[] row = new Object[root.getFieldVectors().size()];
          for (int c = 0; c < row.length; c++) {
            row[c] = root.getVector(c).getObject(i);
          }
          out.add(row);
        }
      }
      return new Answer(schema == null ? reader.getSchema() : schema, out, batches);
    }
  }

  /** A do_put, as Feast's client sends persist and the write APIs. */
  void put(Map<String, Object> command, List<FlightRepo.QueryRow> rows) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(rows == null ? placeholderSchema() : entitySchema(), allocator)) {
      FlightClient.ClientStreamListener writer = client.startPut(FlightDescriptor.command(command(command)), root,
          new SyncPutListener(), options);
      fill(root, rows, 0, rows == null ? 1 : rows.size());
      writer.putNext();
      writer.completed();
      writer.getResult();
    }
  }

  void upload(FlightClient.ClientStreamListener writer, List<FlightRepo.QueryRow> rows, int batch) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(rows == null ? placeholderSchema() : entitySchema(), allocator)) {
      writer.start(root);
      int total = rows == null ? 1 : rows.size();
      for (int from = 0; from < total; from += batch) {
        fill(root, rows, from, Math.min(total, from + batch));
        writer.putNext();
      }
      writer.completed();
    }
  }

  static Schema entitySchema() {
    return new Schema(List.of(
        Field.nullable("user_id", new ArrowType.Int(64, true)),
        Field.nullable("event_timestamp", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
        Field.nullable("price", new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)),
        Field.nullable("label", ArrowType.Utf8.INSTANCE)));
  }

  static Schema placeholderSchema() {
    return new Schema(List.of(Field.nullable("key", ArrowType.Utf8.INSTANCE)));
  }

  private static void fill(VectorSchemaRoot root, List<FlightRepo.QueryRow> rows, int from, int to) {
    root.clear();
    root.allocateNew();
    if (rows == null) {
      ((VarCharVector) root.getVector(0)).setSafe(0, "mock_key".getBytes(StandardCharsets.UTF_8));
      root.setRowCount(1);
      return;
    }
    BigIntVector user = (BigIntVector) root.getVector(0);
    TimeStampNanoTZVector t = (TimeStampNanoTZVector) root.getVector(1);
    Float8Vector price = (Float8Vector) root.getVector(2);
    VarCharVector label = (VarCharVector) root.getVector(3);
    for (int i = from; i < to; i++) {
      FlightRepo.QueryRow q = rows.get(i);
      int k = i - from;
      if (q.userId() == null) {
        user.setNull(k);
      } else {
        user.setSafe(k, q.userId());
      }
      t.setSafe(k, nanos(q.t()));
      if (q.price() == null) {
        price.setNull(k);
      } else {
        price.setSafe(k, q.price());
      }
      label.setSafe(k, q.label().getBytes(StandardCharsets.UTF_8));
    }
    for (FieldVector v : root.getFieldVectors()) {
      v.setValueCount(to - from);
    }
    root.setRowCount(to - from);
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  @Override
  public void close() throws Exception {
    client.close();
    allocator.close();
  }
}
