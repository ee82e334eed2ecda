package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.core.repo.FeatureRepo;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver-client} in a Java 17 application: small programs ({@code src/test/resources/client-on-java17})
 * are compiled and run with a JDK 17 against a running server, with exactly the client's runtime
 * classpath (the file {@code quiver-client/target/runtime-classpath.txt} its build writes); the HTTP-only
 * program runs with the client and Jackson alone, as an application that excludes gRPC does.
 *
 * <p>The JDK 17 is {@code $QUIVER_JDK17} or {@code /usr/lib/jvm/java-17-openjdk-amd64}; without one the
 * test fails saying how to install it (CI machines have it).
 */
class ClientOnJava17Test {
  static final Path DEFAULT_JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;

  @BeforeAll
  static void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback());
  }

  @AfterAll
  static void stop() {
    server.close();
    repo.close();
  }

  @Test
  void aJava17ProgramReadsFeaturesOverBothProtocols() throws Exception {
    List<String> classpath = clientRuntimeClasspath();
    List<String> out = compileAndRun("BothProtocols", classpath);
    assertThat(out).containsExactly(
        "java 17",
        "grpc [user_id, amount, country] 3.0 PRESENT NOT_FOUND FR",
        "grpc risk 10.0 from [user_stats@v1]",
        "grpc version " + QuiverServer.VERSION,
        "grpc error NOT_FOUND true",
        "http [user_id, amount, country] 3.0 PRESENT NOT_FOUND FR",
        "http risk 10.0 from [user_stats@v1]",
        "http version " + QuiverServer.VERSION,
        "http error 404 true");
  }

  @Test
  void anHttpOnlyJava17ProgramNeedsNeitherGrpcNorProtobuf() throws Exception {
    List<String> classpath = new ArrayList<>();
    for (String entry : clientRuntimeClasspath()) {
      if (entry.equals(clientLocation().toString()) || entry.contains("/com/fasterxml/jackson/")) {
        classpath.add(entry);
      }
    }
    assertThat(classpath).as("the client and Jackson's three jars").hasSize(4);
    assertThat(compileAndRun("HttpOnly", classpath)).containsExactly(
        "java 17",
        "http-only [user_id, user_stats__amount, user_stats__country] 6.0 PRESENT");
  }

  /** The client's classes followed by its runtime dependencies, as its build resolved them. */
  static List<String> clientRuntimeClasspath() throws Exception {
    Path client = clientLocation();
    Path file = client.getParent().resolve("runtime-classpath.txt");
    if (!Files.isRegularFile(file)) {
      fail("no " + file + ": quiver-client's build writes it; build with -am, e.g. "
          + "./mvnw -pl quiver-server -am verify -Dtest=ClientOnJava17Test -Dsurefire.failIfNoSpecifiedTests=false");
    }
    List<String> entries = new ArrayList<>();
    entries.add(client.toString());
    Arrays.stream(Files.readString(file).strip().split(File.pathSeparator)).filter(e -> !e.isBlank()).forEach(entries::add);
    return entries;
  }

  /** Where the client's classes are: its jar, or its classes directory before packaging. */
  static Path clientLocation() throws Exception {
    return Path.of(GrpcFeatureClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  static Path jdk17() {
    String configured = System.getenv("QUIVER_JDK17");
    Path home = configured == null || configured.isBlank() ? DEFAULT_JDK17 : Path.of(configured);
    if (!Files.isExecutable(home.resolve("bin/javac")) || !Files.isExecutable(home.resolve("bin/java"))) {
      fail("this test compiles and runs a program with a JDK 17, and there is none at " + home + " (javac and java)."
          + " Install one (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless) or set QUIVER_JDK17 to a JDK 17 home.");
    }
    return home;
  }

  /** Compiles {@code NAME.java} from the test resources with the JDK 17 and runs it; its output lines. */
  static List<String> compileAndRun(String name, List<String> classpath) throws Exception {
    Path jdk = jdk17();
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (InputStream in = ClientOnJava17Test.class.getResourceAsStream("/client-on-java17/" + name + ".java")) {
      assertThat(in).as(name + ".java in the test resources").isNotNull();
      Files.write(dir.resolve(name + ".java"), in.readAllBytes());
    }
    String cp = String.join(File.pathSeparator, classpath);
    run(List.of(jdk.resolve("bin/javac").toString(), "-cp", cp, "-d", dir.toString(), dir.resolve(name + ".java").toString()));
    return run(List.of(jdk.resolve("bin/java").toString(), "-cp", dir + File.pathSeparator + cp, name, "127.0.0.1",
        String.valueOf(server.httpPort()), String.valueOf(server.grpcPort())));
  }

  private static List<String> run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "out", ".txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail(command.get(0) + " did not finish within 60 s; it said:\n" + Files.readString(log));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(command.get(0) + " exited with " + p.exitValue() + "; it said:\n" + output).isZero();
    return output.lines().filter(line -> !line.isBlank()).collect(Collectors.toList());
  }
}
