package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.quiver.core.online.OnlineResponse;
import java.io.IOException;

/**
 * An online response as {@code POST /get-online-features} answers it (Feast's JSON: {@code
 * metadata.feature_names}, then column-major {@code results} with values, statuses and event
 * timestamps), for other front ends that show the same answer: {@code quiver online --output json}
 * prints exactly what the server would send. Stateless and thread-safe.
 */
public final class OnlineResponseJson {
  private OnlineResponseJson() {}

  /**
   * Writes {@code response} to {@code g} (keys and features keep their types, bytes are base64,
   * timestamps ISO-8601 UTC, NaN and infinities strings); {@code g} is left open.
   *
   * @throws IOException when {@code g} cannot write
   */
  public static void write(OnlineResponse response, JsonGenerator g) throws IOException {
    FeastJson.writeResponse(response, false, g);
  }
}
