package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.server.MaterializationRunningException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The JSON body of an error answer. On Quiver's own routes it is an object {@code {"status": 404,
 * "error": "not_found", "message": "..."}}. On Feast's routes it is what Feast's server sends
 * ({@code JSONResponse(content=exc.to_error_detail())}): a JSON <em>string</em> holding {@code
 * {"module": "feast.errors", "class": "FeatureViewNotFoundException", "message": "...", "status": 404,
 * "error": "not_found"}}, which Feast's clients turn into the named exception class
 * ({@code FeastError.from_error_detail}); {@code status} and {@code error} stay inside for other
 * clients. Stateless.
 */
final class ErrorBody {
  /** The routes Feast's clients call: their errors use Feast's body. */
  static final Set<String> FEAST_ROUTES =
      Set.of("/get-online-features", "/push", "/write-to-online-store", "/materialize", "/materialize-incremental");

  /** Every feast.errors class an answer may name (all exist in Feast 0.67 and are built by from_error_detail). */
  static final List<String> FEAST_CLASSES = List.of("FeastError", "FeastObjectNotFoundException",
      "FeatureViewNotFoundException", "FeatureViewVersionNotFound", "FeatureServiceNotFoundException",
      "PushSourceNotFoundException", "FeatureNameCollisionError", "RequestDataNotFoundInEntityRowsException",
      "DataSourceNotFoundException", "FeastPermissionError");

  private ErrorBody() {}

  /** The feast.errors class for a failure: by what is missing or wrong, else Feast's base class. */
  static String feastClass(Throwable failure) {
    return switch (failure) {
      case NotFoundException n -> switch (n.kind()) {
        case FEATURE_VIEW -> "FeatureViewNotFoundException";
        case VIEW_VERSION -> "FeatureViewVersionNotFound";
        case FEATURE_SERVICE -> "FeatureServiceNotFoundException";
        case SOURCE -> "PushSourceNotFoundException";
        case FEATURE, OTHER -> "FeastObjectNotFoundException";
      };
      case InvalidRequestException i -> switch (i.reason()) {
        case DUPLICATE_NAMES -> "FeatureNameCollisionError";
        case MISSING_REQUEST_DATA -> "RequestDataNotFoundInEntityRowsException";
        case OTHER -> "FeastError";
      };
      case dev.quiver.core.SourceDataException s -> "DataSourceNotFoundException";
      case dev.quiver.core.security.AccessDeniedException a -> "FeastPermissionError";
      case null, default -> "FeastError";
    };
  }

  /**
   * The body's bytes.
   *
   * @param path the request's path; null when unknown (Quiver's object then)
   * @param failure what failed, for the Feast class; null for a failure of HTTP itself (Feast's base class)
   */
  static byte[] of(ObjectMapper mapper, String path, int status, String code, String message, Throwable failure) {
    ObjectNode n = mapper.createObjectNode();
    boolean feast = path != null && FEAST_ROUTES.contains(path);
    String text = message == null ? code : dev.quiver.core.load.Secrets.redact(message);
    if (feast) {
      n.put("module", "feast.errors");
      n.put("class", feastClass(failure));
      n.put("message", text);
    }
    n.put("status", status);
    n.put("error", code);
    if (!feast) {
      n.put("message", text);
    }
    if (failure instanceof MaterializationRunningException running) { // as Feast's 409: the views in the way
      running.views().forEach(n.putArray("feature_views")::add);
    }
    try {
      return feast ? mapper.writeValueAsBytes(mapper.writeValueAsString(n)) : mapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
