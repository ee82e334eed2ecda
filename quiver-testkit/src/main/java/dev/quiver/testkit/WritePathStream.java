package dev.quiver.testkit;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.online.RowPosition;
import dev.quiver.core.online.TwinFile;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.WritePathData.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream partition and a consumer of it, as {@code quiver ingest} applies a polled batch
 * ({@code PartitionWriter} in the Kafka module): the events of the batch that the batch twin does not
 * hold yet are appended to it as one file named {@code stream-p00000-o<first>-<last>} (the offsets
 * held are read from those names, so a replayed offset is never appended twice), then the whole batch
 * is written online with its offsets and its places in the twin ({@link Origin.Stream}: the file
 * covering each offset, offset minus the file's first as the row), then the consumer commits. The consumer
 * may crash at either gap: after the twin append (nothing online), or after the online write (the
 * commit lost); it restarts from the last committed offset, delivering the same events again with
 * new ones. It may also be told to seek back to an earlier offset (a replay). Not thread-safe.
 */
final class WritePathStream {
  /** The stream's identity, as the contract's kafka source {@code txns} (topic {@code txns}) names it. */
  static final String STREAM = "kafka:txns";

  /** Where a delivery stops. */
  enum Crash {
    /** The batch is applied and committed. */
    NONE,
    /** Killed after the twin append, before the online write. */
    AFTER_TWIN,
    /** Killed after the online write, before the commit. */
    AFTER_ONLINE
  }

  /**
   * What a delivery did: the log words for it, duplicate rows skipped, late rows dropped, and whether
   * it wrote online offsets that had been written online before.
   */
  record Delivery(String log, long duplicates, long late, boolean replayed) {}

  private final List<Event> partition = new ArrayList<>();
  private final List<long[]> held = new ArrayList<>(); // offset ranges in the twin's file names
  private long committed;
  private long online; // offsets below it have been written online

  /** Produces events to the partition (offsets continue from the last). */
  void produce(List<Event> events) {
    partition.addAll(events);
  }

  /** The offset the consumer restarts from. */
  long committed() {
    return committed;
  }

  /** The partition's end offset (exclusive). */
  long end() {
    return partition.size();
  }

  /**
   * Delivers offsets {@code from..end()-1} as one batch, then stops as {@code crash} says.
   *
   * @param from at most {@link #committed()} (the restart point, or earlier for a replay)
   */
  Delivery deliver(FeatureRepo repo, Path root, WritePathData record, long from, Crash crash) {
    List<Event> batch = partition.subList((int) from, partition.size());
    if (batch.isEmpty()) {
      return new Delivery("", 0, 0, false);
    }
    String log = " stream(" + from + ".." + (end() - 1) + ")";
    List<Event> fresh = new ArrayList<>();
    long first = -1;
    for (long offset = from; offset < end(); offset++) {
      if (!heldInTwin(offset)) {
        first = first < 0 ? offset : first;
        fresh.add(partition.get((int) offset));
      }
    }
    if (!fresh.isEmpty()) {
      long last = first + fresh.size() - 1; // the fresh offsets are the tail: the twin holds a prefix
      StreamSource source = (StreamSource) repo.appliedDefinitions().source("txns").orElseThrow();
      if (!source.streamId().equals(STREAM)) {
        throw new IllegalStateException("the contract's stream is " + STREAM + ", its source says " + source.streamId());
      }
      FileSource twin = source.batch();
      String name = fileName(first, last);
      Path file = repo.offline().appendToSource(twin, root, name, WritePathData.COLUMNS,
          fresh.stream().map(Event::row).toList());
      held.add(new long[] {first, last});
      record.landed(file, fresh);
      log += "+twin(" + first + ".." + last + ")";
    }
    if (crash == Crash.AFTER_TWIN) {
      return new Delivery(log + " KILLED(before online)", 0, 0, false);
    }
    long[] offsets = new long[batch.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = from + i;
    }
    List<RowPosition> positions = new ArrayList<>(); // each event's row in the twin: the file covering it, offset - first
    for (long offset : offsets) {
      long[] range = held.stream().filter(h -> offset >= h[0] && offset <= h[1]).findFirst().orElseThrow();
      positions.add(new RowPosition.InFile("data/txns/" + fileName(range[0], range[1]), offset - range[0]));
    }
    Pusher.Result res = repo.push("txns", WritePathData.columns(batch), Pusher.Target.ONLINE,
        new Origin.Stream(STREAM, 0, offsets, positions));
    boolean replayed = from < online;
    online = end();
    if (crash == Crash.AFTER_ONLINE) {
      return new Delivery(log + " KILLED(before commit)", res.duplicates(), res.late(), replayed);
    }
    committed = end();
    return new Delivery(log, res.duplicates(), res.late(), replayed);
  }

  private static String fileName(long first, long last) {
    return new TwinFile(0, first, last).fileName();
  }

  /** True while a batch the twin holds was never written online (the consumer was killed between the two). */
  boolean twinAhead() {
    return !held.isEmpty() && held.getLast()[1] >= online;
  }

  private boolean heldInTwin(long offset) {
    for (long[] range : held) {
      if (offset >= range[0] && offset <= range[1]) {
        return true;
      }
    }
    return false;
  }
}
