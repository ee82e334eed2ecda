package dev.quiver.core.load;

import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces the secret references in a value of {@code quiver.yaml}: {@code ${ENV_VAR}} by the
 * environment variable, {@code ${file:PATH}} by the file's contents (PATH relative to the repo root;
 * trailing line breaks removed); {@code $${} is a literal {@code ${}. Every value substituted is
 * remembered by {@link Secrets}. A problem names the file, line, key and variable or path, never a
 * value. Stateless apart from {@link Secrets}; thread-safe.
 */
final class SecretReferences {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String HOW = "write ${ENV_VAR} or ${file:PATH}, or $${ for a literal ${";

  private final Path root;
  private final Function<String, String> environment;

  SecretReferences(Path root, Function<String, String> environment) {
    this.root = root;
    this.environment = environment;
  }

  /**
   * {@code value} with its references replaced; the value itself when it has none. Problems are
   * added to {@code problems} (and the value returned as far as it could be resolved).
   *
   * @param key how the problem names the value: {@code registry.password}
   */
  String resolve(String value, String key, Origin origin, List<Problem> problems) {
    if (value == null || !value.contains("${")) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int i = 0;
    while (i < value.length()) {
      if (value.startsWith("$${", i)) {
        out.append("${");
        i += 3;
        continue;
      }
      if (!value.startsWith("${", i)) {
        out.append(value.charAt(i++));
        continue;
      }
      int end = value.indexOf('}', i + 2);
      if (end < 0) {
        problems.add(new Problem(origin, key + " has a '${' without its closing '}'; " + HOW));
        return value;
      }
      String reference = value.substring(i + 2, end);
      String resolved = reference.startsWith("file:") ? fromFile(reference.substring(5), key, origin, problems)
          : fromEnvironment(reference, key, origin, problems);
      if (resolved != null) {
        Secrets.remember(resolved);
        out.append(resolved);
      }
      i = end + 1;
    }
    return out.toString();
  }

  private String fromEnvironment(String name, String key, Origin origin, List<Problem> problems) {
    if (!ENV_NAME.matcher(name).matches()) {
      problems.add(new Problem(origin, key + ": '${" + name + "}' is not a secret reference; " + HOW));
      return null;
    }
    String value = environment.apply(name);
    if (value == null) {
      problems.add(new Problem(origin, key + " refers to the environment variable " + name
          + ", which is not set; set it (export " + name + "=...) before running quiver"));
    }
    return value;
  }

  private String fromFile(String path, String key, Origin origin, List<Problem> problems) {
    if (path.isBlank()) {
      problems.add(new Problem(origin, key + ": '${file:}' names no file; write ${file:PATH}, PATH relative to the repo"));
      return null;
    }
    Path file;
    try {
      file = root.resolve(path.strip()).normalize();
    } catch (RuntimeException e) {
      problems.add(new Problem(origin, key + ": '" + path + "' in ${file:...} is not a path"));
      return null;
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.length();
      while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
        end--;
      }
      return text.substring(0, end);
    } catch (NoSuchFileException e) {
      problems.add(new Problem(origin, key + " refers to the file " + path + ", which does not exist (looked for "
          + file + "); create it or fix the path"));
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(origin, key + " refers to the file " + path + ", which cannot be read as UTF-8 text ("
          + e.getClass().getSimpleName() + "); check its permissions and contents"));
    }
    return null;
  }
}
