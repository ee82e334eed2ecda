package dev.quiver.core.repo;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** SHA-256 fingerprints of files, file globs and text, as {@code sha256:<hex>}. */
final class Fingerprints {
  private Fingerprints() {}

  static String of(String text) {
    MessageDigest d = sha256();
    d.update(text.getBytes(StandardCharsets.UTF_8));
    return "sha256:" + HexFormat.of().formatHex(d.digest());
  }

  static String of(Path file) {
    MessageDigest d = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        d.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new QuiverException("cannot read " + file + " to fingerprint it: " + e.getMessage(), e);
    }
    return "sha256:" + HexFormat.of().formatHex(d.digest());
  }

  /** Each file a path or glob names (relative to {@code base}), sorted, to its fingerprint. */
  static Map<String, String> ofFiles(String pathOrGlob, Path base) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : files(pathOrGlob, base)) {
      out.put(f.toString(), of(f));
    }
    return out;
  }

  /** One fingerprint over several files' fingerprints (for a glob), or the file's own. */
  static String combined(Map<String, String> fingerprints) {
    if (fingerprints.size() == 1) {
      return fingerprints.values().iterator().next();
    }
    return of(String.join("\n", fingerprints.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
  }

  static List<Path> files(String pathOrGlob, Path base) {
    boolean glob = pathOrGlob.contains("*") || pathOrGlob.contains("?") || pathOrGlob.contains("[");
    Path abs = base.resolve(pathOrGlob).toAbsolutePath().normalize();
    if (!glob) {
      return Files.isRegularFile(abs) ? List.of(abs) : List.of();
    }
    String[] parts = pathOrGlob.split("/");
    int first = 0;
    while (first < parts.length && !(parts[first].contains("*") || parts[first].contains("?") || parts[first].contains("["))) {
      first++;
    }
    Path dir = base.resolve(String.join("/", java.util.Arrays.copyOfRange(parts, 0, first))).toAbsolutePath().normalize();
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + abs);
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().forEach(out::add);
    } catch (IOException e) {
      throw new QuiverException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
