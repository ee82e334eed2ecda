package dev.quiver.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.grpc.FeastValues;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client runs on Java 17: every class file of {@code quiver-client} and of the one Quiver module it
 * depends on ({@code quiver-grpc-api}) has class-file major version 61 or lower, and no other Quiver
 * module (core, server, stores, engines) is on its classpath. Reads the classes where the build put
 * them (a jar or a classes directory).
 */
class ClassVersionTest {
  private static final int JAVA_17 = 61;

  @Test
  void everyClassOfTheClientAndItsQuiverDependencyIsForJava17() throws Exception {
    Map<String, Integer> versions = new TreeMap<>();
    for (Class<?> anchor : List.of(FeatureClient.class, FeastValues.class)) {
      versions.putAll(majorVersions(location(anchor)));
    }
    assertThat(versions).as("class files read").containsKeys("dev/quiver/client/GrpcFeatureClient.class",
        "dev/quiver/client/HttpFeatureClient.class", "dev/quiver/grpc/FeastValues.class",
        "dev/quiver/grpc/feast/serving/ServingServiceGrpc.class");
    List<String> tooNew = new ArrayList<>();
    versions.forEach((name, major) -> {
      if (major > JAVA_17) {
        tooNew.add(name + " (major " + major + ")");
      }
    });
    assertThat(tooNew).as("class files newer than Java 17").isEmpty();
  }

  @Test
  void noOtherQuiverModuleIsOnTheClientsClasspath() {
    List<String> quiver = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(entry -> entry.matches(".*quiver-[a-z0-9-]+/target/.*|.*/dev/quiver/.*"))
        .filter(entry -> !entry.matches(".*quiver-(client|grpc-api)/target/.*|.*/dev/quiver/quiver-(client|grpc-api)/.*"))
        .toList();
    assertThat(quiver).as("Quiver modules besides quiver-client and quiver-grpc-api").isEmpty();
  }

  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Class file name to major version, for a jar or a classes directory. */
  private static Map<String, Integer> majorVersions(Path where) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    if (Files.isDirectory(where)) {
      try (Stream<Path> files = Files.walk(where)) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
          try (InputStream in = Files.newInputStream(f)) {
            out.put(where.relativize(f).toString().replace('\\', '/'), major(in));
          }
        }
      }
    } else {
      try (JarFile jar = new JarFile(where.toFile())) {
        for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
          if (e.getName().endsWith(".class")) {
            try (InputStream in = jar.getInputStream(e)) {
              out.put(e.getName(), major(in));
            }
          }
        }
      }
    }
    return out;
  }

  private static int major(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    assertThat(data.readInt()).as("class file magic").isEqualTo(0xCAFEBABE);
    data.readUnsignedShort();
    return data.readUnsignedShort();
  }
}
