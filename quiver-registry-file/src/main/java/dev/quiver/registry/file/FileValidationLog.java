package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The file registry's validation results: {@code validation/results.jsonl}, one JSON object per
 * line and rule result, appended with the registry's JSON-lines protocol ({@link JsonLines}): one
 * run's results in one locked, forced write. Thread-safe and safe from several processes.
 */
final class FileValidationLog implements ValidationLog {
  private static final Logger LOG = Logger.getLogger(FileValidationLog.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  static final String FILE = "results.jsonl";

  private final JsonLines lines;

  FileValidationLog(Path root, Path dir) {
    this.lines = new JsonLines(root, dir, FILE, "the validation results");
  }

  @Override
  public void append(List<RuleResult> results) {
    Objects.requireNonNull(results, "results");
    lines.append(results.stream().map(FileValidationLog::encode).toList());
  }

  @Override
  public List<RuleResult> read(Instant since, String view, int limit) {
    Objects.requireNonNull(since, "since");
    return lines.read(limit, (text, lineNo) -> {
      RuleResult r = decode(text, lineNo);
      return r != null && !r.time().isBefore(since) && ValidationLog.matches(r, view) ? r : null;
    });
  }

  static ObjectNode encode(RuleResult r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", r.time().toString());
    n.put("entry", r.entry());
    n.put("view", r.view());
    n.put("feature", r.feature());
    n.put("rule", r.rule());
    n.put("argument", r.argument());
    n.put("on_fail", r.onFail());
    n.put("rows_checked", r.rowsChecked());
    n.put("rows_failed", r.rowsFailed());
    ArrayNode samples = n.putArray("samples");
    r.samples().forEach(samples::add);
    n.put("outcome", r.outcome().spelling());
    return n;
  }

  private RuleResult decode(String line, int lineNo) {
    try {
      JsonNode n = JSON.readTree(line);
      List<String> samples = new ArrayList<>();
      n.get("samples").forEach(s -> samples.add(s.asText()));
      return new RuleResult(Instant.parse(n.get("time").asText()), n.get("entry").asText(), n.get("view").asText(),
          n.get("feature").isNull() ? null : n.get("feature").asText(), n.get("rule").asText(),
          n.get("argument").asText(), n.get("on_fail").asText(), n.get("rows_checked").asLong(),
          n.get("rows_failed").asLong(), samples,
          RuleResult.Outcome.valueOf(n.get("outcome").asText().toUpperCase(Locale.ROOT)));
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "skipping line " + lineNo + " of " + lines.file() + ": it is not a validation result ("
          + e.getMessage() + ")");
      return null;
    }
  }
}
