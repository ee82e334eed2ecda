package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.online.Materializer.Listener;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The reader/writer hand-over of a materialization ({@link Materializer}): a reader thread reads the
 * source into batches, the calling thread writes them, and a bounded queue between them keeps a few
 * batches in memory whatever the data size.
 */
final class BatchTransfer {
  private BatchTransfer() {}

  /** Where a reader thread hands its batches: the items and how many source rows they came from. */
  interface Sink<T> {
    void accept(List<T> batch, long rowsRead) throws InterruptedException;
  }

  /** Reads the source and hands its batches to a {@link Sink}, on the reader thread. */
  interface Producer<T> {
    void produce(Sink<T> sink) throws Exception;
  }

  private record Batch<T>(List<T> entries, long rowsRead) {}

  /**
   * Runs {@code producer} on a reader thread and writes its batches on this one, so memory holds a
   * few batches whatever the data size; adds (rows read, rows written) to {@code totals}. When the
   * writing fails (or this thread is interrupted) the reader is stopped: it hands nothing more over
   * and ends, also when it was waiting for room in the queue.
   */
  static <T> void transfer(String view, Producer<T> producer, java.util.function.ToIntFunction<List<T>> write,
      Listener listener, long[] totals) {
    BlockingQueue<Batch<T>> queue = new ArrayBlockingQueue<>(4);
    Batch<T> end = new Batch<>(List.of(), 0);
    Throwable[] readerFailure = new Throwable[1];
    AtomicBoolean abandoned = new AtomicBoolean(); // set before the reader is interrupted: nobody takes batches any more
    Thread reader = Thread.ofPlatform().name("quiver-materialize-" + view).start(() -> {
      try {
        producer.produce((batch, rowsRead) -> {
          if (abandoned.get()) {
            throw new InterruptedException("the writer stopped");
          }
          queue.put(new Batch<>(batch, rowsRead));
        });
      } catch (Throwable t) {
        readerFailure[0] = t;
      } finally {
        try {
          if (!abandoned.get()) {
            queue.put(end);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    try {
      while (true) {
        Batch<T> batch = queue.take();
        if (batch == end) {
          break;
        }
        totals[1] += batch.entries().isEmpty() ? 0 : write.applyAsInt(batch.entries());
        totals[0] += batch.rowsRead();
        listener.batchWritten(view, totals[0], totals[1]);
      }
      reader.join();
    } catch (InterruptedException e) {
      abandon(reader, queue, abandoned);
      Thread.currentThread().interrupt();
      throw new QuiverException("materialization of " + view + " was interrupted; its watermark did not move");
    } catch (RuntimeException e) {
      abandon(reader, queue, abandoned);
      throw new QuiverException("materialization of " + view + " failed while writing to the online store: "
          + e.getMessage() + "; its watermark did not move, run it again", e);
    } catch (Error e) { // a store's or listener's Error: the reader must not wait forever to hand over a batch
      abandon(reader, queue, abandoned);
      throw e;
    }
    if (readerFailure[0] instanceof SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    }
    if (readerFailure[0] != null) {
      throw new QuiverException("materialization of " + view + " failed while reading its source: "
          + readerFailure[0].getMessage() + "; its watermark did not move, run it again", readerFailure[0]);
    }
  }

  /** Stops a reader whose batches nobody takes any more: it ends at its next hand-over, or at once if waiting for one. */
  private static void abandon(Thread reader, BlockingQueue<?> queue, AtomicBoolean abandoned) {
    abandoned.set(true);
    reader.interrupt();
    queue.clear();
  }
}
