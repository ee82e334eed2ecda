package dev.quiver.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RegistryCodecTest {

  /** Regenerate with {@code ./mvnw -pl quiver-core test -Dtest=RegistryCodecTest -Dquiver.golden.update=true}. */
  private static final Path GOLDEN =
      Path.of(System.getProperty("basedir", "."), "src/test/resources/registry/golden-v1.json");

  @Test
  void roundTripKeepsEveryKindAndEveryNull() {
    RegistrySnapshot snapshot = CodecFixtures.everyKind();

    RegistrySnapshot back = RegistryCodec.decode(RegistryCodec.encode(snapshot));

    assertThat(back).isEqualTo(snapshot);
  }

  @Test
  void roundTripHoldsForRandomSnapshots() {
    for (long seed = 0; seed < 500; seed++) {
      RegistrySnapshot snapshot = CodecFixtures.random(seed);
      byte[] bytes = RegistryCodec.encode(snapshot);

      RegistrySnapshot back = RegistryCodec.decode(bytes);

      assertThat(back).as("seed %d", seed).isEqualTo(snapshot);
      assertThat(RegistryCodec.encode(back)).as("seed %d re-encoded", seed).isEqualTo(bytes);
      assertThat(RegistryCodec.contentHash(back.definitions()))
          .as("seed %d", seed)
          .isEqualTo(snapshot.info().contentHash());
    }
  }

  @Test
  void goldenFilePinsFormatOne() throws IOException {
    RegistrySnapshot snapshot = CodecFixtures.everyKind();
    byte[] encoded = RegistryCodec.encode(snapshot);
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.createDirectories(GOLDEN.getParent());
      Files.write(GOLDEN, encoded);
    }

    byte[] golden = Files.readAllBytes(GOLDEN);

    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .as("encoding differs from %s; a deliberate change needs a new format number", GOLDEN)
        .isEqualTo(new String(golden, StandardCharsets.UTF_8));
    assertThat(RegistryCodec.decode(golden)).isEqualTo(snapshot);
  }

  @Test
  void encodingHasTheDocumentedLayout() {
    String golden = encodedText();

    assertThat(golden).contains("\"format\" : 1,\n").endsWith("}\n").doesNotContain("\r");
    assertThat(golden).contains("\"ttl\" : \"90d\"", "\"window\" : \"lifetime\"", "\"hop\" : null");
    assertThat(golden).contains("\"type\" : \"list<float32>\"", "\"user_txn@v2:txn_count_7d\"");
  }

  @Test
  void equalDefinitionsHaveEqualHashesWhateverTheBuildOrder() {
    Definitions a =
        Definitions.builder("p")
            .entity("user", "user_id", ScalarType.INT64)
            .entity("merchant", "merchant_id", ScalarType.STRING)
            .view(ViewBuilder.named("b").entities("user").source("s").column("x"))
            .view(ViewBuilder.named("a").entities("user").source("s").ttl("30d").column("y"))
            .build();
    Definitions b =
        Definitions.builder("p")
            .view(ViewBuilder.named("a").entities("user").source("s").ttl("720h").column("y"))
            .entity("merchant", "merchant_id", ScalarType.STRING)
            .view(ViewBuilder.named("b").entities("user").source("s").column("x"))
            .entity("user", "user_id", ScalarType.INT64)
            .build();

    assertThat(a).isEqualTo(b);
    assertThat(RegistryCodec.contentHash(a)).isEqualTo(RegistryCodec.contentHash(b));
  }

  @Test
  void differentDefinitionsHaveDifferentHashes() {
    Definitions base =
        Definitions.builder("p")
            .view(ViewBuilder.named("v").entities("user").source("s").aggregate("n", AggregateFunction.COUNT, null, "7d"))
            .build();
    Definitions longer =
        Definitions.builder("p")
            .view(ViewBuilder.named("v").entities("user").source("s").aggregate("n", AggregateFunction.COUNT, null, "8d"))
            .build();
    Definitions typed =
        new Definitions(
            "p",
            base.entities(),
            base.sources(),
            base.views().stream()
                .map(v -> v.withFeatures(v.features().stream().<Feature>map(f -> f.withType(ScalarType.INT64)).toList()))
                .toList(),
            base.onDemandViews(),
            base.services());

    assertThat(RegistryCodec.contentHash(base))
        .matches("sha256:[0-9a-f]{64}")
        .isNotEqualTo(RegistryCodec.contentHash(longer))
        .isNotEqualTo(RegistryCodec.contentHash(typed))
        .isNotEqualTo(RegistryCodec.contentHash(Definitions.empty("p")));
  }

  @Test
  void hashCoversTheDefinitionsOnly() {
    RegistrySnapshot s = CodecFixtures.everyKind();
    VersionInfo other =
        new VersionInfo(9, 8, "someone-else", Instant.EPOCH, "", s.info().contentHash());

    byte[] a = RegistryCodec.encode(s);
    byte[] b = RegistryCodec.encode(new RegistrySnapshot(other, s.definitions()));

    assertThat(a).isNotEqualTo(b);
    assertThat(RegistryCodec.contentHash(s.definitions())).isEqualTo(s.info().contentHash());
  }

  @Test
  void hashIsStableAcrossReleases() {
    // The hash of the empty project is part of format 1: stores compare hashes across versions.
    assertThat(RegistryCodec.contentHash(Definitions.empty("demo")))
        .isEqualTo(
            "sha256:"
                + sha256Hex(
                    "{\"entities\":[],\"feature_services\":[],\"feature_views\":[],"
                        + "\"on_demand_views\":[],\"project\":\"demo\",\"sources\":[]}"));
  }

  @Test
  void emptyDefinitionsRoundTrip() {
    Definitions empty = Definitions.empty("empty");
    RegistrySnapshot s =
        new RegistrySnapshot(
            new VersionInfo(1, 0, "bot", Instant.parse("2024-01-01T00:00:00Z"), null, RegistryCodec.contentHash(empty)),
            empty);

    assertThat(RegistryCodec.decode(RegistryCodec.encode(s))).isEqualTo(s);
  }

  @Test
  void rejectsBytesThatAreNotJson() {
    assertThatThrownBy(() -> RegistryCodec.decode("not json at all".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver registry snapshot");
    assertThatThrownBy(() -> RegistryCodec.decode(new byte[0]))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> RegistryCodec.decode(new byte[] {(byte) 0xff, 0x00, 0x13}))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver registry snapshot");
    assertThatThrownBy(() -> RegistryCodec.decode("[1, 2]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("\"format\"");
  }

  @Test
  void rejectsEveryTruncationOfAValidSnapshot() {
    byte[] bytes = RegistryCodec.encode(CodecFixtures.everyKind());
    // Every strict prefix, except those missing only the trailing whitespace.
    int end = new String(bytes, StandardCharsets.UTF_8).stripTrailing().getBytes(StandardCharsets.UTF_8).length;
    for (int length = 0; length < end; length += 7) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> RegistryCodec.decode(prefix))
          .as("prefix of %d bytes", length)
          .isInstanceOf(QuiverException.class);
    }
  }

  @Test
  void rejectsTrailingGarbage() {
    byte[] bytes = RegistryCodec.encode(CodecFixtures.everyKind());
    byte[] twice = new byte[bytes.length * 2];
    System.arraycopy(bytes, 0, twice, 0, bytes.length);
    System.arraycopy(bytes, 0, twice, bytes.length, bytes.length);

    assertThatThrownBy(() -> RegistryCodec.decode(twice)).isInstanceOf(QuiverException.class);
  }

  @Test
  void rejectsANewerFormatWithAnUpgradeHint() {
    String json = encodedText().replace("\"format\" : 1", "\"format\" : 2");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("format 2 is not supported")
        .hasMessageContaining("upgrade");
  }

  @Test
  void namesThePathOfAnUnknownKind() {
    String json = encodedText().replaceFirst("\"kind\" : \"aggregate\"", "\"kind\" : \"sketch\"");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("definitions.feature_views[")
        .hasMessageContaining("unknown feature kind 'sketch'");
  }

  @Test
  void namesThePathOfAMalformedValue() {
    String json = encodedText().replace("\"ttl\" : \"90d\"", "\"ttl\" : \"ninety days\"");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("definitions.feature_views[1].ttl")
        .hasMessageContaining("'ninety days' is not a duration");
  }

  @Test
  void rejectsUnknownAndMissingFields() {
    String extra = encodedText().replace("\"online\" : false,", "\"online\" : false, \"shiny\" : 1,");
    String missing = encodedText().replace("\"online\" : false,", "");

    assertThatThrownBy(() -> decode(extra))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("unknown field 'shiny'");
    assertThatThrownBy(() -> decode(missing))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("definitions.feature_views[0].online: missing");
  }

  @Test
  void rejectsDuplicateKeys() {
    String json = encodedText().replace("\"online\" : false,", "\"online\" : false, \"online\" : true,");

    assertThatThrownBy(() -> decode(json)).isInstanceOf(QuiverException.class);
  }

  @Test
  void reportsWhatTheModelRejects() {
    // A join key must be a scalar: the model's own rule, reported with the path.
    String json = encodedText().replace("\"type\" : \"string\"\n", "\"type\" : \"list<string>\"\n");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("definitions.entities[1].join_keys[1].type");
  }

  private static String encodedText() {
    return new String(RegistryCodec.encode(CodecFixtures.everyKind()), StandardCharsets.UTF_8);
  }

  private static RegistrySnapshot decode(String json) {
    return RegistryCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256Hex(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
