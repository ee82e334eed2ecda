package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.online.RowPosition;
import dev.quiver.core.online.TwinFile;
import dev.quiver.core.spi.SourceFiles;
import dev.quiver.core.online.StrictValues;
import dev.quiver.core.online.TimeBounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Applies one polled batch of one partition: decodes the records (refusing, counting and logging the
 * ones that do not decode), drops the events whose event time is after now + the skew ({@link
 * TimeBounds}, the bounds the push path applies; counted as refused and as {@link Outcome#future()}),
 * appends the events not yet in the batch twin to it as one file named by partition and offset range
 * (when the source appends), then writes them online through the push path with their offsets
 * ({@link Origin.Stream}). The time bound is checked once, before the twin append, so an event the
 * online write would refuse never reaches the twin. A batch the write path refuses as a whole (a value
 * that does not fit its type) is applied record by record, so one bad record is refused alone.
 * Thread-safe for batches of different partitions (it holds no mutable state of its own; a consumer
 * writes its partitions at once), one batch of a partition at a time.
 */
final class PartitionWriter {
  private static final Logger LOG = Logger.getLogger(PartitionWriter.class.getName());

  /** The online write: {@code Pusher.push(source, columns, Target.ONLINE, origin)} over the current registry version. */
  @FunctionalInterface
  interface OnlineWrite {
    Pusher.Result push(String source, Map<String, List<Object>> columns, Origin.Stream origin);
  }

  /**
   * What a batch did: events written, records refused (undecodable, an event time past the time
   * bound, or refused by the write path), of those the ones refused for their future event time,
   * events the window tiles dropped as too late for any window, the newest event time written (null if none).
   */
  record Outcome(int applied, int refused, int future, long late, Instant newest) {}

  /**
   * Rows of one push the write path took but did not store: refused for an event time past the time
   * bound, dropped from the tiles as older than every window can still read.
   */
  record Dropped(long refused, long late) {
    static final Dropped NONE = new Dropped(0, 0);

    Dropped plus(Dropped o) {
      return new Dropped(refused + o.refused, late + o.late);
    }
  }

  /**
   * The one place a push's result becomes stream counts: rows refused for an event time after now +
   * the skew (time bounds, dropped one by one from a stream origin, never stored) and rows dropped
   * from the tiles as older than every window can still read.
   */
  static Dropped dropped(Pusher.Result r) {
    return new Dropped(r.rejectedFuture(), r.late());
  }

  record Event(long offset, Map<String, Object> row, Instant eventTime) {}

  private final StreamSource source;
  private final RecordDecoder decoder;
  private final OnlineWrite online;
  private final OfflineEngine offline;
  private final Path repoRoot;
  private final Set<String> twinColumns;
  private final TimeBounds bounds;

  /**
   * @param twinColumns the raw columns of the twin's files (events' other fields are not appended); unused when not appending
   * @param bounds the time bound events are checked against before the twin append: the online write's own
   */
  PartitionWriter(StreamSource source, RecordDecoder decoder, OnlineWrite online, OfflineEngine offline, Path repoRoot,
      Set<String> twinColumns, TimeBounds bounds) {
    this.source = source;
    this.bounds = java.util.Objects.requireNonNull(bounds, "bounds");
    this.decoder = decoder;
    this.online = online;
    this.offline = offline;
    this.repoRoot = repoRoot;
    this.twinColumns = twinColumns;
  }

  Outcome apply(int partition, List<ConsumerRecord<byte[], byte[]>> records) {
    List<Event> events = new ArrayList<>(records.size());
    int refused = 0;
    int future = 0;
    Instant limit = bounds.limit(); // one bound for the whole batch, before the twin append
    for (ConsumerRecord<byte[], byte[]> r : records) {
      RecordDecoder.Decoded d = decoder.decode(r.value());
      if (d.refusal() != null) {
        refused++;
        refuse(partition, r.offset(), d.refusal());
      } else if (d.eventTime().isAfter(limit)) {
        future++;
        refuse(partition, r.offset(), "event time " + d.eventTime() + " is after now + max_future_skew ("
            + bounds.maxFutureSkew() + "), " + limit + "; it is neither appended to the batch twin nor written online"
            + " (raise online.max_future_skew in quiver.yaml if the producer's clock runs ahead)");
      } else {
        events.add(new Event(r.offset(), d.row(), d.eventTime()));
      }
    }
    refused += future;
    if (events.isEmpty()) {
      return new Outcome(0, refused, future, 0, null);
    }
    int applied = events.size();
    Dropped dropped = Dropped.NONE;
    try {
      dropped = write(partition, events);
    } catch (InvalidRequestException whole) {
      applied = 0;
      for (Event e : events) {
        try {
          dropped = dropped.plus(write(partition, List.of(e)));
          applied++;
        } catch (InvalidRequestException one) {
          refused++;
          refuse(partition, e.offset(), one.getMessage());
        }
      }
    }
    applied -= (int) dropped.refused();
    refused += (int) dropped.refused();
    future += (int) dropped.refused(); // the push path's own bound (a writer with a smaller skew than ours)
    Instant newest = events.getFirst().eventTime();
    for (Event e : events) {
      newest = e.eventTime().isAfter(newest) ? e.eventTime() : newest;
    }
    return new Outcome(applied, refused, future, dropped.late(), applied == 0 ? null : newest);
  }

  private void refuse(int partition, long offset, String why) {
    LOG.log(Level.WARNING, () -> "source '" + source.name() + "' topic " + source.topic() + " partition " + partition
        + " offset " + offset + " skipped: " + why);
  }

  /** Twin first, then online; a refusal online removes the file just added, so the twin never holds what was refused. */
  private Dropped write(int partition, List<Event> events) {
    Path added = source.appendToBatch() ? appendToTwin(partition, events) : null;
    Map<String, List<Object>> columns = columns(events);
    long[] offsets = new long[events.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = events.get(i).offset();
    }
    try {
      return dropped(online.push(source.name(), columns, new Origin.Stream(source.streamId(), partition, offsets,
          source.appendToBatch() ? twinPositions(partition, offsets) : null)));
    } catch (InvalidRequestException e) {
      if (added != null) {
        try {
          Files.deleteIfExists(added);
        } catch (IOException io) {
          throw new QuiverException("could not remove " + added + " after the online write refused it: " + io.getMessage(), io);
        }
      }
      throw e;
    }
  }

  /**
   * The events' rows column-major: every field any row has, in the order of first appearance, null
   * where a row lacks it. Rows of one source nearly always have the same fields in the same order:
   * then each row's values are taken in order, with no set of names or lookup per field.
   */
  static Map<String, List<Object>> columns(List<Event> events) {
    Map<String, List<Object>> columns = new java.util.LinkedHashMap<>();
    if (byPosition(events, columns)) {
      return columns;
    }
    columns.clear();
    Set<String> names = new LinkedHashSet<>();
    events.forEach(e -> names.addAll(e.row().keySet()));
    for (String n : names) {
      List<Object> col = new ArrayList<>(events.size());
      events.forEach(e -> col.add(e.row().get(n)));
      columns.put(n, col);
    }
    return columns;
  }

  /**
   * Fills {@code columns} in one pass over the rows when every row has the first row's fields in its
   * order (names compared by identity first: decoders reuse them); false as soon as one does not
   * ({@code columns} is then partly filled).
   */
  private static boolean byPosition(List<Event> events, Map<String, List<Object>> columns) {
    Map<String, Object> first = events.getFirst().row();
    String[] order = first.keySet().toArray(new String[0]);
    @SuppressWarnings("unchecked")
    List<Object>[] cols = new List[order.length];
    for (int i = 0; i < order.length; i++) {
      cols[i] = new ArrayList<>(events.size());
      columns.put(order[i], cols[i]);
    }
    for (Event e : events) {
      Map<String, Object> row = e.row();
      if (row.size() != order.length) {
        return false;
      }
      int i = 0;
      for (Map.Entry<String, Object> field : row.entrySet()) {
        String name = field.getKey();
        if (name != order[i] && !name.equals(order[i])) {
          return false;
        }
        cols[i++].add(field.getValue());
      }
    }
    return true;
  }

  /**
   * Each event's place in the batch twin, for the tie order online (DESIGN §3, "Ties"): the file
   * whose name covers its offset, and as row its offset minus the file's first; where refused records
   * left gaps that is past its row in the file, but it orders the same against every other row, and
   * a replay finds the same position.
   */
  private List<RowPosition> twinPositions(int partition, long[] offsets) {
    List<TwinFile> held = TwinFiles.ranges(source.batch(), repoRoot, partition);
    Path dir = TwinFiles.directory(source.batch(), repoRoot);
    List<RowPosition> out = new ArrayList<>(offsets.length);
    for (long offset : offsets) {
      TwinFile range = held.stream().filter(r -> r.covers(offset)).findFirst().orElseThrow(() -> new QuiverException(
          "the batch files of source '" + source.batch().name() + "' in " + dir + " hold no offset " + offset + " of partition "
              + partition + " just appended"));
      out.add(new RowPosition.InFile(SourceFiles.display(dir.resolve(range.fileName()), repoRoot), offset - range.first()));
    }
    return out;
  }

  /** Appends the events the twin does not hold yet as one file; null when it holds them all. */
  private Path appendToTwin(int partition, List<Event> events) {
    List<TwinFile> held = TwinFiles.ranges(source.batch(), repoRoot, partition);
    List<Event> fresh = events.stream().filter(e -> !TwinFiles.covered(held, e.offset())).toList();
    if (fresh.isEmpty()) {
      return null;
    }
    Set<String> mapped = new LinkedHashSet<>();
    fresh.forEach(e -> mapped.addAll(e.row().keySet()));
    List<String> kept = mapped.stream().filter(n -> twinColumns.contains(source.batch().rawColumn(n))).toList();
    List<Object[]> rows = new ArrayList<>(fresh.size());
    for (Event e : fresh) {
      Object[] row = new Object[kept.size()];
      for (int c = 0; c < kept.size(); c++) {
        String name = kept.get(c);
        Object v = e.row().get(name);
        row[c] = v != null && (name.equals(source.timestampColumn()) || name.equals(source.createdColumn()))
            ? timestamp(name, v) : v;
      }
      rows.add(row);
    }
    TwinFile range = new TwinFile(partition, fresh.getFirst().offset(), fresh.getLast().offset());
    return offline.appendToSource(source.batch(), repoRoot, range.fileName(),
        kept.stream().map(source.batch()::rawColumn).toList(), rows);
  }

  private Instant timestamp(String column, Object v) {
    try {
      return (Instant) StrictValues.parse(ScalarType.TIMESTAMP, v);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("'" + source.batch().rawColumn(column) + "' is " + StrictValues.describe(v)
          + ", not " + e.getMessage());
    }
  }
}
