package dev.quiver.core.model;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A name with an optional version, as users write them: {@code fraud_model}, {@code fraud_model@v2}
 * (or {@code fraud_model@2}). Versions run from 1 to 999999999; {@code 0} means "the latest".
 *
 * @param version the version, or 0 when none was written
 */
public record VersionedName(String name, int version) {
  /** The syntax, with the name and the version digits as groups 1 and 2 (also the start of a {@link FeatureRef}). */
  static final String SYNTAX = "([A-Za-z_][A-Za-z0-9_]*)(?:@v?([1-9][0-9]{0,8}))?";
  private static final Pattern FORM = Pattern.compile(SYNTAX);

  /** Parses {@code NAME} or {@code NAME@vN}; empty for anything else (never throws). */
  public static Optional<VersionedName> parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new VersionedName(m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))));
  }
}
