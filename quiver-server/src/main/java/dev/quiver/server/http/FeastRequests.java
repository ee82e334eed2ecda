package dev.quiver.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.online.StrictValues;
import dev.quiver.server.OnlineRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Feast's request models (feast/feature_server.py: GetOnlineFeaturesRequest, PushFeaturesRequest,
 * WriteToFeatureStoreRequest, MaterializeRequest, MaterializeIncrementalRequest) read from JSON as
 * Feast's server reads them: fields it does not know are ignored (pydantic's default), a known field
 * of the wrong JSON type is an {@link InvalidRequestException} naming it, and absent optional fields
 * take Feast's defaults. Stateless.
 */
final class FeastRequests {
  private FeastRequests() {}

  /** A read, and whether to answer Feast's {@code feature_view_metadata}. */
  record Read(OnlineRequest request, boolean viewMetadata) {}

  /** A push: rows of a source, column-major. */
  record Push(String source, Map<String, List<Object>> columns, Pusher.Target target, String idempotencyKey) {}

  /** Rows for one feature view by feature name. */
  record Write(String view, Map<String, List<Object>> columns) {}

  /**
   * A materialization.
   *
   * @param start null for an incremental one (from each view's watermark) or a rebuild
   * @param rebuild drop the views' online state and materialize them from the beginning to {@code end}
   */
  record Materialize(List<String> views, Instant start, Instant end, boolean rebuild) {
    Materialize(List<String> views, Instant start, Instant end) {
      this(views, start, end, false);
    }

    boolean incremental() {
      return start == null && !rebuild;
    }
  }

  /** Entities whose online state goes: {@code {"feature_views": [...], "entities": {"user_id": [7]}}}. */
  record Delete(List<String> views, Map<String, List<Object>> entities) {}

  /** The body of {@code POST /online/delete}. */
  static Delete delete(JsonNode body) {
    ObjectNode root = FeastJson.object(body, "the request body");
    for (var names = root.fieldNames(); names.hasNext(); ) {
      String f = names.next();
      if (!f.equals("feature_views") && !f.equals("entities")) {
        throw new InvalidRequestException("unknown field '" + f + "'; send {\"feature_views\": [\"user_txn\"],"
            + " \"entities\": {\"user_id\": [7]}}");
      }
    }
    List<String> views = views(root);
    if (views.isEmpty()) {
      throw new InvalidRequestException("'feature_views' must name the views to delete from, e.g. [\"user_txn\"]"
          + " (every version) or [\"user_txn@v2\"]");
    }
    JsonNode entities = root.get("entities");
    if (entities == null || entities.isNull()) {
      throw new InvalidRequestException("the request needs 'entities', e.g. {\"user_id\": [7, 8]}");
    }
    return new Delete(views, FeastJson.columns(entities, "entities"));
  }

  static Read read(JsonNode body) {
    ObjectNode root = FeastJson.object(body, "the request body");
    List<String> features = new ArrayList<>();
    JsonNode fs = root.get("features");
    if (fs != null && !fs.isNull()) {
      if (!fs.isArray()) {
        throw new InvalidRequestException("'features' must be a list of feature refs such as [\"user_txn:amount\"], got "
            + FeastJson.kind(fs));
      }
      for (JsonNode f : fs) {
        if (!f.isTextual()) {
          throw new InvalidRequestException("'features' must hold strings (view:feature), got " + FeastJson.kind(f));
        }
        features.add(f.textValue());
      }
    }
    String service = string(root, "feature_service");
    JsonNode entities = root.get("entities");
    if (entities == null || entities.isNull()) {
      throw new InvalidRequestException("the request has no 'entities': give the join key columns, e.g."
          + " \"entities\": {\"user_id\": [1001, 1002]} (\"entities\": {} when the features read only request data,"
          + " given in request_context)");
    }
    JsonNode context = root.get("request_context");
    OnlineRequest request = new OnlineRequest(features, service, FeastJson.columns(entities, "entities"),
        bool(root, "full_feature_names", false),
        context == null || context.isNull() ? Map.of() : FeastJson.columns(context, "request_context"));
    return new Read(request, bool(root, "include_feature_view_version_metadata", false));
  }

  static Push push(JsonNode body) {
    ObjectNode root = FeastJson.object(body, "the request body");
    String source = string(root, "push_source_name");
    if (source == null) {
      throw new InvalidRequestException("the push needs 'push_source_name' (a string naming a source)");
    }
    JsonNode to = root.get("to");
    if (to != null && !to.isNull() && !to.isTextual()) {
      throw new InvalidRequestException("'to' must be online, offline or online_and_offline, got " + FeastJson.kind(to));
    }
    JsonNode key = root.get("idempotency_key");
    if (key != null && !key.isNull() && !key.isTextual()) {
      throw new InvalidRequestException("'idempotency_key' must be a string (1 to 256 characters) naming the push, got "
          + FeastJson.kind(key));
    }
    checkFeastFlags(root);
    return new Push(source, df(root, "{\"user_id\": [1], \"event_ts\": [\"2026-11-22T10:00:00Z\"], ...}"),
        Pusher.Target.parse(to == null || to.isNull() ? null : to.textValue()), key == null || key.isNull() ? null : key.textValue());
  }

  static Write write(JsonNode body) {
    ObjectNode root = FeastJson.object(body, "the request body");
    String view = string(root, "feature_view_name");
    if (view == null) {
      throw new InvalidRequestException("the write needs 'feature_view_name' (a string naming a feature view)");
    }
    checkFeastFlags(root);
    return new Write(view, df(root, "{\"user_id\": [1], \"event_timestamp\": [\"2026-11-22T10:00:00\"], \"last_amount\": [12.5]}"));
  }

  /** Feast's MaterializeRequest; with {@code disable_event_timestamp} every row up to now, as Feast does. */
  static Materialize materialize(JsonNode body, Clock clock) {
    ObjectNode root = FeastJson.object(body, "the request body");
    List<String> views = views(root);
    bool(root, "full_feature_names", false); // checked, and meaningless for materialization (as in Feast)
    if (bool(root, "rebuild", false)) { // Quiver's: from the beginning, START is not taken
      if (!isAbsent(root, "start_ts")) {
        throw new InvalidRequestException("a rebuild reads every source row up to 'end_ts'; drop 'start_ts'");
      }
      return new Materialize(views, null, isAbsent(root, "end_ts") ? now(clock) : time(root, "end_ts", clock), true);
    }
    if (bool(root, "disable_event_timestamp", false)) {
      return new Materialize(views, Timestamps.FIRST_SUPPORTED, now(clock));
    }
    if (isAbsent(root, "start_ts") || isAbsent(root, "end_ts")) {
      throw new InvalidRequestException("'start_ts' and 'end_ts' are required (unless 'disable_event_timestamp' is true),"
          + " e.g. \"start_ts\": \"2026-01-01T00:00:00Z\", \"end_ts\": \"now\"");
    }
    Instant start = time(root, "start_ts", clock);
    Instant end = time(root, "end_ts", clock);
    if (!end.isAfter(start)) {
      throw new InvalidRequestException("'end_ts' (" + end + ") must be after 'start_ts' (" + start + ")");
    }
    return new Materialize(views, start, end);
  }

  /** Feast's MaterializeIncrementalRequest. */
  static Materialize materializeIncremental(JsonNode body, Clock clock) {
    ObjectNode root = FeastJson.object(body, "the request body");
    List<String> views = views(root);
    bool(root, "full_feature_names", false);
    if (isAbsent(root, "end_ts")) {
      throw new InvalidRequestException("'end_ts' is required, e.g. \"end_ts\": \"now\" or \"2026-11-22T06:00:00Z\"");
    }
    return new Materialize(views, null, time(root, "end_ts", clock));
  }

  /** The {@code async} query parameter as FastAPI reads a bool: true/false, 1/0, yes/no, on/off. */
  static boolean async(Map<String, List<String>> params) {
    List<String> values = params.get("async");
    if (values == null || values.isEmpty()) {
      return false;
    }
    String v = values.getLast().strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new InvalidRequestException("'async' must be true or false, got '" + values.getLast() + "'");
    };
  }

  /** {@code feature_views}, with Feast's {@code version} ("v2" or "2") pinning its only view. */
  private static List<String> views(ObjectNode root) {
    JsonNode v = root.get("feature_views");
    List<String> out = new ArrayList<>();
    if (v != null && !v.isNull()) {
      if (!v.isArray()) {
        throw new InvalidRequestException("'feature_views' must be a list of view names, got " + FeastJson.kind(v));
      }
      for (JsonNode n : v) {
        if (!n.isTextual()) {
          throw new InvalidRequestException("'feature_views' must hold strings, got " + FeastJson.kind(n));
        }
        out.add(n.textValue());
      }
    }
    String version = string(root, "version");
    if (version == null) {
      return out;
    }
    String digits = version.strip().toLowerCase(Locale.ROOT);
    digits = digits.startsWith("v") ? digits.substring(1) : digits;
    if (!digits.matches("[1-9][0-9]{0,8}")) {
      throw new InvalidRequestException("'version' must be a view version such as \"v2\", got '" + version + "'");
    }
    if (out.size() != 1) {
      throw new InvalidRequestException("'version' needs exactly one view in 'feature_views', got " + out.size());
    }
    return List.of(out.getFirst() + "@v" + digits);
  }

  /** Feast's bool flags of writes; Quiver always reads the live registry and has no write-time transforms. */
  private static void checkFeastFlags(ObjectNode root) {
    bool(root, "allow_registry_cache", true);
    bool(root, "transform_on_write", true);
  }

  private static Map<String, List<Object>> df(ObjectNode root, String example) {
    JsonNode df = root.get("df");
    if (df == null || df.isNull()) {
      throw new InvalidRequestException("the request needs 'df': the rows as columns, e.g. " + example);
    }
    return FeastJson.columns(df, "df");
  }

  private static boolean isAbsent(ObjectNode root, String field) {
    return root.get(field) == null || root.get(field).isNull();
  }

  /** A string field; null when absent or null. */
  private static String string(ObjectNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException("'" + field + "' must be a string, got " + FeastJson.kind(v));
    }
    return v.textValue();
  }

  private static boolean bool(ObjectNode root, String field, boolean absent) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw new InvalidRequestException("'" + field + "' must be true or false, got " + FeastJson.kind(v));
    }
    return v.booleanValue();
  }

  private static Instant now(Clock clock) {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /**
   * A time as Feast's server takes it: ISO-8601 with a zone or offset, or without one (UTC), with a
   * {@code T} or a space, or a date (midnight UTC), read by core's one parser ({@link StrictValues},
   * microseconds, years 0001 to 9999); or {@code now}.
   */
  static Instant time(ObjectNode root, String field, Clock clock) {
    JsonNode v = root.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidRequestException("'" + field + "' must be a time such as \"2026-11-22T00:00:00Z\" or \"now\", got "
          + FeastJson.kind(v));
    }
    String text = v.textValue().strip();
    if (text.equalsIgnoreCase("now")) {
      return now(clock);
    }
    try {
      return (Instant) StrictValues.parse(ScalarType.TIMESTAMP, text);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("'" + field + "' is not a time: '" + v.textValue() + "'; write ISO-8601 such as"
          + " \"2026-11-22T00:00:00Z\", \"2026-11-22T00:00:00\" (UTC), \"2026-11-22\" or \"now\", in the years 0001 to 9999");
    }
  }
}
