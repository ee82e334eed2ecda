package dev.quiver.bench.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Feast-shaped {@code /get-online-features} bodies over seeded random keys:
 * {@code {"features": [refs], "entities": {"user_id": [k1, ...]}, "full_feature_names": true}}, the
 * keys drawn uniformly (with replacement) from the materialized ones.
 */
public final class RequestBodies {
  private RequestBodies() {}

  /**
   * @param keys the materialized keys
   * @param entities keys per request
   * @param count how many distinct bodies (the load generator sends them in turn)
   * @param seed the generator's seed
   */
  public static List<byte[]> build(long[] keys, String joinKey, List<String> refs, int entities, int count, long seed) {
    String features = refs.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(", ", "[", "]"));
    return build(keys, joinKey, "\"features\": " + features, entities, count, seed);
  }

  /** Bodies that name a feature service ({@code "feature_service": "NAME"}) instead of features. */
  public static List<byte[]> forService(long[] keys, String joinKey, String service, int entities, int count, long seed) {
    return build(keys, joinKey, "\"feature_service\": \"" + service + "\"", entities, count, seed);
  }

  private static List<byte[]> build(long[] keys, String joinKey, String selector, int entities, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> out = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      StringBuilder json = new StringBuilder(selector.length() + 24 * entities + 80)
          .append("{").append(selector).append(", \"entities\": {\"").append(joinKey).append("\": [");
      for (int i = 0; i < entities; i++) {
        json.append(i == 0 ? "" : ", ").append(keys[random.nextInt(keys.length)]);
      }
      json.append("]}, \"full_feature_names\": true}");
      out.add(json.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }
}
