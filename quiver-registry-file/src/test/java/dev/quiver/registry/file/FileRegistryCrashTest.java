package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.testkit.SampleDefinitions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash can leave behind, made by hand: temporary files at every stage of a commit, and
 * published files damaged after the fact. The real thing, a killed writer process, is in {@link
 * FileRegistryProcessTest}.
 */
class FileRegistryCrashTest {
  private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

  @TempDir Path dir;
  private FileRegistryStore store;
  private Path versions;

  @BeforeEach
  void twoVersions() {
    store = new FileRegistryStore(dir);
    versions = dir.resolve("versions");
    store.commit(0, SampleDefinitions.sample(1), "ana", "one", T);
    store.commit(1, SampleDefinitions.sample(2), "ana", "two", T.plusSeconds(1));
  }

  // ---- a writer crashed before publishing -------------------------------------------------------

  @Test
  void completeTempFileOfACrashedWriterIsNotAVersion() throws IOException {
    Path temp = tempFile(3, encoded(3));

    assertUnchangedAndUsable();
    assertThat(temp).as("a young temp file may belong to a live writer").exists();
  }

  @Test
  void truncatedAndGarbageTempFilesAreIgnored() throws IOException {
    byte[] whole = encoded(3);
    tempFile(3, Arrays.copyOf(whole, whole.length / 2));
    tempFile(3, new byte[0]);
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    tempFile(3, garbage);

    assertUnchangedAndUsable();
  }

  @Test
  void staleTempFilesAreRemovedByTheNextScan() throws IOException {
    Path stale = tempFile(3, encoded(3));
    Path young = tempFile(3, encoded(3));
    Files.setLastModifiedTime(
        stale, FileTime.from(Instant.now().minus(FileRegistryStore.STALE_TEMP_AGE).minusSeconds(5)));

    assertThat(new FileRegistryStore(dir).head().map(VersionInfo::version)).contains(2L);

    assertThat(stale).doesNotExist();
    assertThat(young).exists();
  }

  // ---- a writer crashed after publishing, before removing its temp file -------------------------

  @Test
  void tempFileLinkedToAPublishedVersionIsHarmlessAndItsRemovalKeepsTheVersion() throws IOException {
    Path temp = versions.resolve(".0000000002.json.crashed.tmp");
    Files.createLink(temp, store.versionFile(2));
    Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minusSeconds(3600)));

    FileRegistryStore reopened = new FileRegistryStore(dir);
    assertThat(reopened.log()).extracting(VersionInfo::version).containsExactly(2L, 1L);

    assertThat(temp).doesNotExist();
    assertThat(reopened.read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
  }

  // ---- damage to published versions ------------------------------------------------------------

  @Test
  void garbageInAPublishedVersionIsReportedByVersion() throws IOException {
    Files.write(store.versionFile(2), "{\"format\": 1, \"info\": ".getBytes(StandardCharsets.UTF_8));
    FileRegistryStore reopened = new FileRegistryStore(dir);

    assertThatThrownBy(() -> reopened.read(2))
        .isInstanceOf(QuiverException.class)
        .isNotInstanceOf(NotFoundException.class)
        .hasMessageContaining("registry version 2 is damaged")
        .hasMessageContaining("0000000002.json");
    assertThatThrownBy(reopened::head).hasMessageContaining("registry version 2 is damaged");
    assertThat(reopened.read(1).definitions()).isEqualTo(SampleDefinitions.sample(1));
  }

  @Test
  void anEmptyPublishedVersionIsReportedByVersion() throws IOException {
    Files.write(store.versionFile(2), new byte[0]);

    assertThatThrownBy(() -> new FileRegistryStore(dir).read(2))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("registry version 2 is damaged");
  }

  @Test
  void editedDefinitionsFailTheHashCheck() throws IOException {
    Path file = store.versionFile(1);
    String json = Files.readString(file);
    String edited = json.replace("\"ttl\" : \"91d\"", "\"ttl\" : \"92d\"");
    assertThat(edited).isNotEqualTo(json);
    Files.writeString(file, edited);

    assertThatThrownBy(() -> new FileRegistryStore(dir).read(1))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("registry version 1 is damaged")
        .hasMessageContaining("hash");
  }

  @Test
  void aVersionFileRecordingAnotherVersionIsDamaged() throws IOException {
    Files.copy(store.versionFile(1), store.versionFile(3));

    assertThatThrownBy(() -> new FileRegistryStore(dir).read(3))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("registry version 3 is damaged")
        .hasMessageContaining("records version 1");
  }

  // ---- layout ----------------------------------------------------------------------------------

  @Test
  void eachVersionIsOneCodecFileAndNothingElseIsLeft() throws IOException {
    try (Stream<Path> files = Files.list(versions)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("0000000001.json", "0000000002.json");
    }
    RegistrySnapshot two = store.read(2);
    assertThat(Files.readAllBytes(store.versionFile(2))).isEqualTo(RegistryCodec.encode(two));
  }

  @Test
  void unrelatedFilesAreIgnored() throws IOException {
    Files.writeString(versions.resolve("README"), "hello");
    Files.writeString(versions.resolve("0000000009.json.bak"), "{}");
    Files.writeString(versions.resolve("9.json"), "{}");
    Files.createDirectory(versions.resolve("0000000010.json.d"));

    assertUnchangedAndUsable();
  }

  @Test
  void conflictMessageSaysWhoAppliedWhatAndWhen() {
    assertThatThrownBy(() -> store.commit(1, SampleDefinitions.sample(9), "bo", "", T))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessage(
            "registry version 2 was applied by ana at 2024-05-01T12:00:01Z while you planned"
                + " against 1; run plan again");
  }

  @Test
  void aMissingRegistryDirectoryIsAnEmptyRegistryUntilTheFirstCommit() {
    FileRegistryStore fresh = new FileRegistryStore(dir.resolve("not/yet"));

    assertThat(fresh.head()).isEmpty();
    assertThat(dir.resolve("not")).doesNotExist();
    fresh.commit(0, SampleDefinitions.sample(), "ana", "", T);
    assertThat(dir.resolve("not/yet/versions/0000000001.json")).isRegularFile();
  }

  @Test
  void aClosedStoreRefusesWork() {
    store.close();

    assertThatThrownBy(store::head).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The head is still 2, every version reads, and the next commit lands as 3. */
  private void assertUnchangedAndUsable() {
    FileRegistryStore reopened = new FileRegistryStore(dir);
    assertThat(reopened.head().map(VersionInfo::version)).contains(2L);
    assertThat(reopened.log()).extracting(VersionInfo::version).containsExactly(2L, 1L);
    assertThat(reopened.read(1).definitions()).isEqualTo(SampleDefinitions.sample(1));
    assertThat(reopened.read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
    assertThatThrownBy(() -> reopened.read(3)).isInstanceOf(NotFoundException.class);

    VersionInfo third = reopened.commit(2, SampleDefinitions.sample(3), "bo", "after the crash", T);

    assertThat(third.version()).isEqualTo(3);
    assertThat(reopened.read(3).definitions()).isEqualTo(SampleDefinitions.sample(3));
  }

  /** A temp file as a writer of {@code version} leaves it, named the way the store names them. */
  private Path tempFile(long version, byte[] content) throws IOException {
    Path temp =
        versions.resolve(
            "." + store.versionFile(version).getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    Files.write(temp, content);
    return temp;
  }

  private static byte[] encoded(long version) {
    var d = SampleDefinitions.sample((int) version);
    return RegistryCodec.encode(
        new RegistrySnapshot(
            new VersionInfo(version, version - 1, "crashed", T, "", RegistryCodec.contentHash(d)), d));
  }
}
