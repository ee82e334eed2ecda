package dev.quiver.core;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/** The rules for names of definitions, and "did you mean" suggestions for misspelled ones. */
public final class Names {
  private static final Pattern VALID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private Names() {}

  /** True for a letter or underscore followed by up to 127 letters, digits or underscores. */
  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** What a valid name looks like, for messages. */
  public static String rule() {
    return "names start with a letter or '_' and contain only letters, digits and '_' (at most 128)";
  }

  /** The candidate closest to {@code name}, if one is close enough to be a likely typo. */
  public static Optional<String> closest(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    if (best == null || bestDistance > Math.max(2, name.length() / 2)) {
      return Optional.empty();
    }
    return Optional.of(best);
  }

  /** {@code "; did you mean 'x'?"} or the empty string. */
  public static String didYouMean(String name, Collection<String> candidates) {
    return closest(name, candidates).map(c -> "; did you mean '" + c + "'?").orElse("");
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
