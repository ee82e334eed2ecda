package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hand-off between materialization's reader thread and its writing thread: a failed write
 * stops the reader, even one waiting to hand over a batch (a leaked reader would wait forever and,
 * being a platform thread, keep the JVM alive).
 */
class MaterializerTransferTest {
  private static final OnlineStore.Entry ENTRY = new OnlineStore.Entry(new byte[] {1}, new byte[] {2});

  @Test
  void aFailedWriteStopsTheReaderWaitingToHandOverABatch() throws Exception {
    String view = "transfer_test_" + System.nanoTime() + "@v1";
    // the writer takes one batch and the queue holds four more: after five the reader waits
    CountDownLatch handedOver = new CountDownLatch(5);
    assertThatThrownBy(() -> BatchTransfer.transfer(view, sink -> {
      while (true) {
        sink.accept(List.of(ENTRY), 1);
        handedOver.countDown();
      }
    }, batch -> {
      try {
        handedOver.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      throw new QuiverException("the store is down");
    }, (v, read, written) -> {}, new long[2]))
        .isInstanceOf(QuiverException.class)
        .hasMessage("materialization of " + view + " failed while writing to the online store: the store is down;"
            + " its watermark did not move, run it again");

    Optional<Thread> reader = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("quiver-materialize-" + view)).findFirst();
    if (reader.isPresent()) {
      reader.get().join(TimeUnit.SECONDS.toMillis(10));
      assertThat(reader.get().isAlive()).as("the reader thread ended").isFalse();
    }
  }

  /** Runs a transfer whose reader never stops producing, failing the writer as {@code fail} does after five hand-overs. */
  private static Throwable failedTransfer(String view, Runnable fail) throws InterruptedException {
    CountDownLatch handedOver = new CountDownLatch(5);
    Throwable[] thrown = new Throwable[1];
    Thread writer = Thread.ofPlatform().start(() -> {
      try {
        BatchTransfer.transfer(view, sink -> {
          while (true) {
            sink.accept(List.of(ENTRY), 1);
            handedOver.countDown();
          }
        }, batch -> {
          try {
            handedOver.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          fail.run();
          return batch.size();
        }, (v, read, written) -> {}, new long[2]);
      } catch (Throwable t) {
        thrown[0] = t;
      }
    });
    writer.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(writer.isAlive()).as("the writing thread returned").isFalse();
    assertReaderEnded(view);
    return thrown[0];
  }

  private static void assertReaderEnded(String view) throws InterruptedException {
    Optional<Thread> reader = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("quiver-materialize-" + view)).findFirst();
    if (reader.isPresent()) {
      reader.get().join(TimeUnit.SECONDS.toMillis(10));
      assertThat(reader.get().isAlive()).as("the reader thread ended").isFalse();
    }
  }

  @Test
  void anErrorWhileWritingStopsTheReaderToo() throws Exception {
    String view = "transfer_error_" + System.nanoTime() + "@v1";
    Throwable t = failedTransfer(view, () -> {
      throw new NoClassDefFoundError("com/example/Missing");
    });
    assertThat(t).isInstanceOf(NoClassDefFoundError.class);
  }

  @Test
  void anInterruptedWriterStopsTheReader() throws Exception {
    String view = "transfer_interrupt_" + System.nanoTime() + "@v1";
    Throwable t = failedTransfer(view, () -> Thread.currentThread().interrupt());
    assertThat(t).isInstanceOf(QuiverException.class)
        .hasMessage("materialization of " + view + " was interrupted; its watermark did not move");
  }

  @Test
  void everyBatchIsWrittenAndCounted() {
    long[] totals = new long[2];
    BatchTransfer.transfer("transfer_counts@v1", sink -> {
      for (int i = 0; i < 10; i++) {
        sink.accept(List.of(ENTRY, ENTRY), 3);
      }
    }, List::size, (v, read, written) -> {}, totals);
    assertThat(totals).containsExactly(30, 20);
  }
}
