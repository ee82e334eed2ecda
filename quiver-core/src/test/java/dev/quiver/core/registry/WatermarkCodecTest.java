package dev.quiver.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The watermark document of {@link RegistryCodec}: round trips, the golden file, strictness. */
class WatermarkCodecTest {

  /**
   * Regenerate with {@code ./mvnw -pl quiver-core test -Dtest=WatermarkCodecTest
   * -Dquiver.golden.update=true}.
   */
  private static final Path GOLDEN =
      Path.of(System.getProperty("basedir", "."), "src/test/resources/registry/watermark-golden-v1.json");

  /** What the golden file pins: an end at a whole hour, an update time with microseconds. */
  static Watermark golden() {
    return new Watermark(
        "user_txn@v2",
        Instant.parse("2024-05-01T00:00:00Z"),
        3,
        "ana",
        Instant.parse("2024-05-01T00:10:00.123456Z"));
  }

  /** Text that needs escaping, the epoch, a nanosecond end. */
  static Watermark awkward() {
    return new Watermark(
        "_Merchant_7@v123456789",
        Instant.parse("1969-12-31T23:59:59.999999999Z"),
        0,
        "bo \"the builder\" ✓\n\\",
        Instant.EPOCH);
  }

  // ---- round trips ------------------------------------------------------------------------------

  @Test
  void roundTripKeepsEveryField() {
    for (Watermark w : List.of(golden(), awkward())) {
      byte[] bytes = RegistryCodec.encodeWatermark(w);

      Watermark back = RegistryCodec.decodeWatermark(bytes);

      assertThat(back).isEqualTo(w);
      assertThat(RegistryCodec.encodeWatermark(back)).isEqualTo(bytes);
    }
  }

  @Test
  void roundTripHoldsForRandomWatermarks() {
    for (long seed = 0; seed < 300; seed++) {
      Watermark w = random(seed);
      byte[] bytes = RegistryCodec.encodeWatermark(w);

      Watermark back = RegistryCodec.decodeWatermark(bytes);

      assertThat(back).as("seed %d", seed).isEqualTo(w);
      assertThat(RegistryCodec.encodeWatermark(back)).as("seed %d re-encoded", seed).isEqualTo(bytes);
    }
  }

  // ---- the layout -------------------------------------------------------------------------------

  @Test
  void goldenFilePinsWatermarkFormatOne() throws IOException {
    Watermark w = golden();
    byte[] encoded = RegistryCodec.encodeWatermark(w);
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.createDirectories(GOLDEN.getParent());
      Files.write(GOLDEN, encoded);
    }

    byte[] golden = Files.readAllBytes(GOLDEN);

    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .as("encoding differs from %s; a deliberate change needs a new watermark format number", GOLDEN)
        .isEqualTo(new String(golden, StandardCharsets.UTF_8));
    assertThat(RegistryCodec.decodeWatermark(golden)).isEqualTo(w);
  }

  @Test
  void encodingHasTheDocumentedLayout() {
    assertThat(text(golden()))
        .isEqualTo(
            """
            {
              "author" : "ana",
              "end" : "2024-05-01T00:00:00Z",
              "format" : 1,
              "kind" : "watermark",
              "registry_version" : 3,
              "updated_at" : "2024-05-01T00:10:00.123456Z",
              "view" : "user_txn@v2"
            }
            """);
    assertThat(RegistryCodec.WATERMARK_FORMAT).isEqualTo(1);
  }

  @Test
  void toJsonIsTheWatermarkWithoutTheEnvelope() throws IOException {
    JsonNode json = RegistryCodec.toJson(golden());
    JsonNode document = new ObjectMapper().readTree(RegistryCodec.encodeWatermark(golden()));

    assertThat(fieldNames(json)).containsExactly("author", "end", "registry_version", "updated_at", "view");
    assertThat(json.size()).isEqualTo(document.size() - 2);
    assertThat(json.get("view").textValue()).isEqualTo("user_txn@v2");
  }

  @Test
  void viewSpellingIsNameAtVersion() {
    assertThat(List.of("user_txn@v2", "_x@v1", "A9_b@v999999999", "x".repeat(128) + "@v1"))
        .allMatch(Watermark::isValidView);
    assertThat(
            Arrays.asList(
                null, "", "user_txn", "user_txn@2", "user_txn@v", "user_txn@v0", "user_txn@v02",
                "user_txn@V2", "user_txn@v-1", "user_txn@v1000000000", "1st@v1", "user-txn@v1",
                "user txn@v1", "../user_txn@v1", "a/b@v1", "user_txn@v1.json", "naïve@v1",
                "user_txn@v2:amount", "x".repeat(129) + "@v1"))
        .noneMatch(Watermark::isValidView);
  }

  @Test
  void requiresEveryField() {
    Instant t = Instant.EPOCH;
    assertThatThrownBy(() -> new Watermark(null, t, 1, "ana", t)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Watermark("v@v1", null, 1, "ana", t)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Watermark("v@v1", t, 1, null, t)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Watermark("v@v1", t, 1, "ana", null)).isInstanceOf(NullPointerException.class);
  }

  // ---- strict decoding --------------------------------------------------------------------------

  @Test
  void rejectsBytesThatAreNotJson() {
    assertThatThrownBy(() -> decode("not json at all"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver watermark");
    assertThatThrownBy(() -> RegistryCodec.decodeWatermark(new byte[0]))
        .isInstanceOf(QuiverException.class)
        .hasMessage("not a Quiver watermark: the input is empty");
    assertThatThrownBy(() -> decode("[1, 2]"))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("\"format\"");
  }

  @Test
  void otherDocumentsAreNotWatermarksAndAWatermarkIsNoOtherDocument() {
    byte[] snapshot = RegistryCodec.encode(CodecFixtures.everyKind());
    byte[] dataset = RegistryCodec.encodeDataset(DatasetCodecTest.fromFiles());
    byte[] watermark = RegistryCodec.encodeWatermark(golden());

    assertThatThrownBy(() -> RegistryCodec.decodeWatermark(snapshot))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver watermark")
        .hasMessageContaining("it is a registry snapshot");
    assertThatThrownBy(() -> RegistryCodec.decodeWatermark(dataset))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("expected \"kind\" : \"watermark\", found \"dataset\"");
    assertThatThrownBy(() -> RegistryCodec.decode(watermark))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("not a Quiver registry snapshot")
        .hasMessageContaining("watermark");
    assertThatThrownBy(() -> RegistryCodec.decodeDataset(watermark))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("found \"watermark\"");
  }

  @Test
  void rejectsANewerFormatWithAnUpgradeHint() {
    String json = text(golden()).replace("\"format\" : 1", "\"format\" : 2");

    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("watermark format 2 is not supported")
        .hasMessageContaining("upgrade");
    assertThatThrownBy(() -> decode(text(golden()).replace("\"format\" : 1", "\"format\" : \"1\"")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("\"format\" must be an integer");
  }

  @Test
  void rejectsEveryTruncation() {
    byte[] bytes = RegistryCodec.encodeWatermark(golden());
    int end = new String(bytes, StandardCharsets.UTF_8).stripTrailing().getBytes(StandardCharsets.UTF_8).length;
    for (int length = 0; length < end; length++) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> RegistryCodec.decodeWatermark(prefix))
          .as("prefix of %d bytes", length)
          .isInstanceOf(QuiverException.class);
    }
  }

  @Test
  void rejectsTrailingGarbageAndDuplicateKeys() {
    String json = text(golden());

    assertThatThrownBy(() -> decode(json + json)).isInstanceOf(QuiverException.class);
    assertThatThrownBy(
            () -> decode(json.replace("\"registry_version\" : 3,", "\"registry_version\" : 3, \"registry_version\" : 4,")))
        .isInstanceOf(QuiverException.class);
  }

  @Test
  void rejectsUnknownAndMissingFields() {
    String json = text(golden());

    assertThatThrownBy(() -> decode(json.replace("\"registry_version\" : 3,", "\"registry_version\" : 3, \"shiny\" : 1,")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("damaged watermark at the top level: unknown field 'shiny'")
        .hasMessageContaining("reads format 1");
    for (String field : List.of("author", "end", "registry_version", "updated_at", "view")) {
      assertThatThrownBy(() -> decode(without(field)))
          .as(field)
          .isInstanceOf(QuiverException.class)
          .hasMessage("damaged watermark at " + field + ": missing");
    }
  }

  @Test
  void namesTheFieldOfAMalformedValue() {
    assertDamaged(with("view", "\"user_txn\""), "view: 'user_txn' is not a view version (name@vN");
    assertDamaged(with("view", "\"../x@v1\""), "view: '../x@v1' is not a view version");
    assertDamaged(with("view", "null"), "view: expected a string, found null");
    assertDamaged(with("end", "\"yesterday\""), "end: 'yesterday' is not an ISO-8601 instant");
    assertDamaged(with("end", "1714521600"), "end: expected a string");
    assertDamaged(with("updated_at", "\"2024-05-01\""), "updated_at: '2024-05-01' is not an ISO-8601 instant");
    assertDamaged(with("registry_version", "\"3\""), "registry_version: expected an integer");
    assertDamaged(with("registry_version", "3.5"), "registry_version: expected an integer");
    assertDamaged(with("registry_version", "99999999999999999999"), "registry_version: expected an integer");
    assertDamaged(with("author", "[ ]"), "author: expected a string");
  }

  private static void assertDamaged(String json, String problem) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("damaged watermark at ")
        .hasMessageContaining(problem);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static String text(Watermark w) {
    return new String(RegistryCodec.encodeWatermark(w), StandardCharsets.UTF_8);
  }

  private static Watermark decode(String json) {
    return RegistryCodec.decodeWatermark(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The golden watermark's document with one field replaced by {@code json}. */
  private static String with(String field, String json) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = (ObjectNode) mapper.readTree(text(golden()));
      root.set(field, mapper.readTree(json));
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The golden watermark's document without one field. */
  private static String without(String field) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = (ObjectNode) mapper.readTree(text(golden()));
      root.remove(field);
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A watermark with every field drawn at random, awkward text and extreme instants included. */
  private static Watermark random(long seed) {
    Random r = new Random(seed);
    return new Watermark(
        word(r) + "@v" + (1 + r.nextInt(r.nextBoolean() ? 9 : 999_999_999)),
        instant(r),
        r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(100),
        text(r),
        instant(r));
  }

  private static Instant instant(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> Instant.MIN;
      case 1 -> Instant.MAX;
      default -> Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 250_000_000_000L), r.nextInt(1_000_000_000));
    };
  }

  private static String word(Random r) {
    String first = "abcxyz_ABQ";
    String rest = "abcxyz_ABQ0189";
    StringBuilder b = new StringBuilder().append(first.charAt(r.nextInt(first.length())));
    for (int i = r.nextInt(12); i > 0; i--) {
      b.append(rest.charAt(r.nextInt(rest.length())));
    }
    return b.toString();
  }

  private static String text(Random r) {
    String[] pieces = {"a", "Z", " ", "\n", "\t", "\"", "\\", "/", "é", "✓", "😀", "\u0000", "'", "{", "}"};
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(10); i > 0; i--) {
      b.append(pieces[r.nextInt(pieces.length)]);
    }
    return b.toString();
  }
}
