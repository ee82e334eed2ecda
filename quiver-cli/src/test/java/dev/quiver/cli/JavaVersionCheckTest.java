package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java older than 21 gets one line naming the Java needed, not an UnsupportedClassVersionError
 * stack: from the {@code ./quiver} launcher (whichever way it found that Java) and from the jar's
 * entry class {@link Launch}, which is compiled for Java 8. Runs a real old JDK (one under
 * /usr/lib/jvm, e.g. OpenJDK 17).
 */
class JavaVersionCheckTest {
  private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("quiver");

  @TempDir Path tmp;

  @Test
  void theEntryClassIsCompiledForJava8AndChecksTheVersion() throws IOException {
    try (InputStream in = Launch.class.getResourceAsStream("Launch.class")) {
      byte[] head = in.readNBytes(8);
      assertThat(((head[6] & 0xff) << 8) | (head[7] & 0xff)).as("class file major version").isEqualTo(52);
    }
    assertThat(Launch.problem("1.8", "/jdk8")).isEqualTo("quiver: needs Java 21 or newer, but this is Java 8 (/jdk8);"
        + " run it with the java of a JDK 21+ (e.g. Temurin 21 or 25)");
    assertThat(Launch.problem("17", "/jdk17")).startsWith("quiver: needs Java 21 or newer, but this is Java 17 (/jdk17);");
    assertThat(Launch.problem("21", "/jdk21")).isNull();
    assertThat(Launch.problem("25", "/jdk25")).isNull();
    assertThat(Launch.problem(null, "/x")).startsWith("quiver: needs Java 21 or newer, but this is Java null");
  }

  @Test
  void anOldJavaRunningTheEntryClassGetsOneLine() throws Exception {
    Path old = oldJdk();
    String classes = Path.of(Launch.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    Run run = run(List.of(old.resolve("bin/java").toString(), "-cp", classes, Launch.class.getName(), "--version"), Map.of());
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("quiver: needs Java 21 or newer, but this is Java " + major(old) + " (" + old.toRealPath()
        + "); run it with the java of a JDK 21+ (e.g. Temurin 21 or 25)\n");

    // this JVM is new enough: the entry class hands over to the CLI
    Run current = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Launch.class.getName(), "--version"), Map.of());
    assertThat(current.exit()).as(current.toString()).isZero();
    assertThat(current.out()).isEqualTo("quiver 0.1.0-SNAPSHOT\n");
  }

  @Test
  void theLauncherScriptNamesTheJavaItFoundAndTheOneNeeded() throws Exception {
    Path old = oldJdk();
    int major = major(old);
    String fix = "; install a JDK 21+ (e.g. Temurin 21 or 25) and set QUIVER_JAVA_HOME to it\n";

    Run chosen = script(Map.of("QUIVER_JAVA_HOME", old.toString()));
    assertThat(chosen.err()).isEqualTo("quiver: needs Java 21 or newer, but QUIVER_JAVA_HOME (" + old + ") is Java " + major + fix);

    Path jvms = Files.createDirectories(tmp.resolve("jvm"));
    Files.createSymbolicLink(jvms.resolve("jdk-old"), old);
    Run found = script(Map.of("QUIVER_JVM_ROOT", jvms.toString()));
    assertThat(found.err()).isEqualTo("quiver: needs Java 21 or newer, but the newest JDK under " + jvms + " ("
        + jvms.resolve("jdk-old") + ") is Java " + major + fix);

    Run given = script(Map.of("QUIVER_JVM_ROOT", Files.createDirectories(tmp.resolve("none")).toString(), "JAVA_HOME", old.toString()));
    assertThat(given.err()).isEqualTo("quiver: needs Java 21 or newer, but JAVA_HOME (" + old + ") is Java " + major + fix);

    Run onPath = script(Map.of("QUIVER_JVM_ROOT", tmp.resolve("none").toString(), "PATH", old.resolve("bin") + File.pathSeparator
        + System.getenv("PATH")));
    assertThat(onPath.err()).isEqualTo("quiver: needs Java 21 or newer, but 'java' on the PATH (" + old.resolve("bin/java")
        + ") is Java " + major + fix);

    for (Run r : List.of(chosen, found, given, onPath)) {
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).as(r.toString()).isEmpty(); // nothing built, nothing run
    }
  }

  /** Runs {@code ./quiver --version} with only these Quiver and Java settings. */
  private static Run script(Map<String, String> env) throws Exception {
    return run(List.of("bash", SCRIPT.toString(), "--version"), env);
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(k -> k.startsWith("QUIVER_") || k.equals("JAVA_HOME"));
    environment.putAll(env);
    Path out = Files.createTempFile("quiver-out", ".txt");
    Path err = Files.createTempFile("quiver-err", ".txt");
    try {
      Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** A JDK older than 21 under /usr/lib/jvm; the test needs one (OpenJDK 17 is installed on the build machines). */
  private static Path oldJdk() throws IOException {
    List<Path> old = new ArrayList<>();
    try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
      for (Path jdk : jdks.sorted().toList()) {
        if (Files.isExecutable(jdk.resolve("bin/java")) && Files.isRegularFile(jdk.resolve("release")) && major(jdk) < 21) {
          old.add(jdk);
        }
      }
    }
    if (old.isEmpty()) {
      fail("no JDK older than 21 under /usr/lib/jvm: install one (apt-get install openjdk-17-jdk-headless) to run this test");
    }
    return old.getFirst();
  }

  private static int major(Path jdk) throws IOException {
    Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(Files.readString(jdk.resolve("release")));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
