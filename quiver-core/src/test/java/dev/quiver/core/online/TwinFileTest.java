package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The names a stream consumer gives the files it adds to a batch twin. */
class TwinFileTest {
  @Test
  void aNameSaysPartitionAndOffsetRangeAndReadsBackFromAPath() {
    TwinFile f = new TwinFile(3, 1200, 1299);
    assertThat(f.fileName()).isEqualTo("stream-p00003-o00000000000000001200-00000000000000001299.parquet");
    assertThat(TwinFile.of("data/txns/" + f.fileName())).contains(f);
    assertThat(TwinFile.of("C:\\repo\\data\\" + f.fileName())).contains(f);
    assertThat(f.covers(1200)).isTrue();
    assertThat(f.covers(1299)).isTrue();
    assertThat(f.covers(1300)).isFalse();
  }

  @Test
  void otherFilesAreNotTwinFiles() {
    assertThat(TwinFile.of("data/txns/part-0.parquet")).isEmpty();
    assertThat(TwinFile.of("data/txns/push-20260101T000000-abc.parquet")).isEmpty();
    assertThat(TwinFile.of("data/txns/stream-p0003-o00000000000000001200-00000000000000001299.parquet")).isEmpty();
    assertThat(TwinFile.of("data/stream-p00003-o00000000000000001200-00000000000000001299.parquet/part-0.parquet")).isEmpty();
    assertThat(TwinFile.of("stream-p00000-o00000000000000000009-00000000000000000001.parquet")).as("last before first").isEmpty();
    assertThat(TwinFile.of("stream-p00000-o99999999999999999999-99999999999999999999.parquet")).as("past a long").isEmpty();
  }

  @Test
  void aRangeMustBeOrdered() {
    assertThatThrownBy(() -> new TwinFile(0, 5, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first <= last");
    assertThatThrownBy(() -> new TwinFile(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
