package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.monitor.SkewLog;
import dev.quiver.core.monitor.SkewResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The file registry's skew results: {@code monitoring/skew.jsonl}, one JSON object per line and
 * feature result, appended with the registry's JSON-lines protocol ({@link JsonLines}): one run's
 * results in one locked, forced write. Thread-safe and safe from several processes.
 */
final class FileSkewLog implements SkewLog {
  private static final Logger LOG = Logger.getLogger(FileSkewLog.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  static final String FILE = "skew.jsonl";

  private final JsonLines lines;

  FileSkewLog(Path root, Path dir) {
    this.lines = new JsonLines(root, dir, FILE, "the skew results");
  }

  @Override
  public void append(List<SkewResult> results) {
    Objects.requireNonNull(results, "results");
    lines.append(results.stream().map(FileSkewLog::encode).toList());
  }

  @Override
  public List<SkewResult> read(Instant since, String service, int limit) {
    Objects.requireNonNull(since, "since");
    return lines.read(limit, (text, lineNo) -> {
      SkewResult r = decode(text, lineNo);
      return r != null && !r.time().isBefore(since) && (service == null || r.service().equals(service)) ? r : null;
    });
  }

  private static ObjectNode encode(SkewResult r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", r.time().toString());
    n.put("service", r.service());
    n.put("feature", r.feature());
    n.put("since", r.since() == null ? null : r.since().toString());
    n.put("until", r.until() == null ? null : r.until().toString());
    n.put("rows_compared", r.rowsCompared());
    n.put("mismatches", r.mismatches());
    ArrayNode examples = n.putArray("examples");
    r.examples().forEach(examples::add);
    return n;
  }

  private SkewResult decode(String line, int lineNo) {
    try {
      JsonNode n = JSON.readTree(line);
      List<String> examples = new ArrayList<>();
      n.get("examples").forEach(s -> examples.add(s.asText()));
      return new SkewResult(Instant.parse(n.get("time").asText()), n.get("service").asText(), n.get("feature").asText(),
          time(n.get("since")), time(n.get("until")), n.get("rows_compared").asLong(), n.get("mismatches").asLong(), examples);
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "skipping line " + lineNo + " of " + lines.file() + ": it is not a skew result (" + e.getMessage() + ")");
      return null;
    }
  }

  private static Instant time(JsonNode n) {
    return n == null || n.isNull() ? null : Instant.parse(n.asText());
  }
}
