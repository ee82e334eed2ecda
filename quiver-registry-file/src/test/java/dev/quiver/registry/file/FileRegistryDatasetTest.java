package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.testkit.SampleDatasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file layout of saved datasets, and what damage to it looks like. */
class FileRegistryDatasetTest {
  private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

  @TempDir Path dir;
  private FileRegistryStore store;
  private Path datasets;
  private DatasetRecord train;

  @BeforeEach
  void oneDataset() {
    store = new FileRegistryStore(dir);
    datasets = dir.resolve("datasets");
    train = SampleDatasets.sample("fraud_train", 0, "ana", T);
    store.saveDataset(train);
  }

  @Test
  void eachDatasetIsOneCodecFileAndNothingElseIsLeft() throws IOException {
    store.saveDataset(SampleDatasets.sample("fraud_eval", 1, "bo", T));

    try (Stream<Path> files = Files.list(datasets)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("fraud_train.json", "fraud_eval.json");
    }
    assertThat(Files.readAllBytes(store.datasetFile("fraud_train")))
        .isEqualTo(RegistryCodec.encodeDataset(train));
    assertThat(dir.resolve("versions")).doesNotExist();
    assertThat(store.head()).isEmpty();
  }

  @Test
  void aDamagedDatasetIsReportedByName() throws IOException {
    Files.writeString(store.datasetFile("fraud_train"), "{\"format\" : 1, \"kind\" : \"dataset\"");
    FileRegistryStore reopened = new FileRegistryStore(dir);

    assertThatThrownBy(() -> reopened.dataset("fraud_train"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("dataset 'fraud_train' is damaged")
        .hasMessageContaining("fraud_train.json")
        .hasMessageContaining("restore the file");
    assertThatThrownBy(reopened::datasets).hasMessageContaining("dataset 'fraud_train' is damaged");
    assertThatThrownBy(() -> reopened.saveDataset(SampleDatasets.sample("fraud_train", 1, "bo", T)))
        .hasMessage("dataset 'fraud_train' already exists; choose another name");
  }

  @Test
  void aFileRecordingAnotherDatasetIsDamaged() throws IOException {
    Files.copy(store.datasetFile("fraud_train"), store.datasetFile("fraud_copy"));

    assertThatThrownBy(() -> new FileRegistryStore(dir).dataset("fraud_copy"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("dataset 'fraud_copy' is damaged")
        .hasMessageContaining("records dataset 'fraud_train'");
  }

  @Test
  void aSnapshotInTheDatasetsDirectoryIsDamagedNotMisread() throws IOException {
    store.commit(0, dev.quiver.testkit.SampleDefinitions.sample(), "ana", "", T);
    Files.copy(store.versionFile(1), store.datasetFile("fraud_eval"));

    assertThatThrownBy(() -> new FileRegistryStore(dir).datasets())
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("dataset 'fraud_eval' is damaged")
        .hasMessageContaining("it is a registry snapshot");
  }

  @Test
  void temporaryAndUnrelatedFilesAreIgnoredAndStaleTemporaryFilesRemoved() throws IOException {
    Path stale = datasets.resolve(".fraud_eval.json.crashed.tmp");
    Path young = datasets.resolve(".fraud_test.json.writing.tmp");
    Files.write(stale, RegistryCodec.encodeDataset(SampleDatasets.sample("fraud_eval")));
    Files.write(young, new byte[0]);
    Files.setLastModifiedTime(
        stale, FileTime.from(Instant.now().minus(FileRegistryStore.STALE_TEMP_AGE).minusSeconds(5)));
    Files.writeString(datasets.resolve("README"), "hello");
    Files.writeString(datasets.resolve("fraud_train.json.bak"), "{}");
    Files.writeString(datasets.resolve("1st.json"), "{}");
    Files.createDirectory(datasets.resolve("x.json.d"));

    FileRegistryStore reopened = new FileRegistryStore(dir);

    assertThat(reopened.datasets()).containsExactly(train);
    assertThat(reopened.dataset("fraud_eval")).isEmpty();
    assertThat(stale).doesNotExist();
    assertThat(young).exists();
    DatasetRecord eval = SampleDatasets.sample("fraud_eval", 1, "bo", T.plusSeconds(1));
    reopened.saveDataset(eval);
    assertThat(reopened.datasets()).containsExactly(train, eval);
  }

  @Test
  void aClosedStoreRefusesDatasetWork() {
    store.close();

    assertThatThrownBy(store::datasets).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.dataset("fraud_train")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.saveDataset(SampleDatasets.sample("x")))
        .isInstanceOf(IllegalStateException.class);
  }
}
