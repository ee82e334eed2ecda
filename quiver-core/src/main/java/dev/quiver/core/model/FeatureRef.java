package dev.quiver.core.model;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names one feature: {@code view:feature}, pinned to a view version as {@code view@v2:feature}.
 * {@code view:*} names every feature of the view.
 *
 * @param version the pinned view version, or 0 for "the latest version"
 */
public record FeatureRef(String view, int version, String feature) implements java.io.Serializable {
  private static final Pattern REF =
      Pattern.compile(VersionedName.SYNTAX + ":([A-Za-z_][A-Za-z0-9_]*|\\*)");

  public FeatureRef {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(feature, "feature");
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
  }

  /** Parses {@code view:feature}, {@code view@v2:feature} or {@code view:*}. */
  public static Optional<FeatureRef> parse(String text) {
    Matcher m = REF.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    int version = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    return Optional.of(new FeatureRef(m.group(1), version, m.group(3)));
  }

  /** Like {@link #parse} but throws an {@link IllegalArgumentException} naming the expected form. */
  public static FeatureRef of(String text) {
    return parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'" + text + "' is not a feature ref; write view:feature or view@v2:feature"));
  }

  /**
   * The column this spelling names in a training set or online answer: {@code feature}; with full
   * names {@code view__feature}, or {@code view@vN__feature} when the ref names a version (Feast
   * 0.67's full name for a version-qualified ref). Resolved features are named through {@link
   * FeatureResolver.Resolved#outputName}, which spells a ref to a view's newest version without it.
   */
  public String outputName(boolean fullFeatureNames) {
    if (!fullFeatureNames) {
      return feature;
    }
    return version > 0 ? view + "@v" + version + "__" + feature : view + "__" + feature;
  }

  /** The same ref without a version ({@code view:feature}). */
  public FeatureRef unpinned() {
    return version == 0 ? this : new FeatureRef(view, 0, feature);
  }

  public boolean pinned() {
    return version > 0;
  }

  public boolean wildcard() {
    return feature.equals("*");
  }

  public FeatureRef withVersion(int newVersion) {
    return new FeatureRef(view, newVersion, feature);
  }

  @Override
  public String toString() {
    return view + (version > 0 ? "@v" + version : "") + ":" + feature;
  }
}
