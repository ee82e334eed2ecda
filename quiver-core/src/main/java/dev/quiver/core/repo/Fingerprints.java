package dev.quiver.core.repo;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** SHA-256 fingerprints of files and text, as {@code sha256:<hex>}. */
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

  /** One fingerprint over several files' fingerprints (for a glob), or the file's own. */
  static String combined(Map<String, String> fingerprints) {
    if (fingerprints.size() == 1) {
      return fingerprints.values().iterator().next();
    }
    return of(String.join("\n", fingerprints.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
