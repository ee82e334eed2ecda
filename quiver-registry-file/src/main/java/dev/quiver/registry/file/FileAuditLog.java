package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The file registry's audit log: {@code audit/events.jsonl}, one JSON object per line and event
 * ({@code time}, {@code principal}, {@code method}, {@code action}, {@code resource}, {@code client},
 * {@code outcome}, {@code detail}), in the order they were appended.
 *
 * <p>Appended and read by the registry's JSON-lines protocol ({@link JsonLines}): one locked,
 * forced write per event (or per {@link #appendAll} batch); torn lines are skipped with a warning; nothing is ever rewritten.
 *
 * <p>Thread-safe and safe from several processes.
 */
final class FileAuditLog implements AuditLog {
  private static final Logger LOG = Logger.getLogger(FileAuditLog.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  static final String FILE = "events.jsonl";

  private final JsonLines lines;

  FileAuditLog(Path root, Path dir) {
    this.lines = new JsonLines(root, dir, FILE, "the audit log");
  }

  Path file() {
    return lines.file();
  }

  @Override
  public void append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    lines.append(List.of(encode(event)));
  }

  @Override
  public void appendAll(List<AuditEvent> events) {
    Objects.requireNonNull(events, "events");
    lines.append(events.stream().map(FileAuditLog::encode).toList());
  }

  @Override
  public List<AuditEvent> read(Instant since, int limit) {
    Objects.requireNonNull(since, "since");
    return lines.read(limit, (text, lineNo) -> {
      AuditEvent e = decode(text, lineNo);
      return e != null && !e.time().isBefore(since) ? e : null;
    });
  }

  static ObjectNode encode(AuditEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", e.time().toString());
    n.put("principal", e.principal());
    n.put("method", e.method());
    n.put("action", e.action());
    n.put("resource", e.resource());
    n.put("client", e.client());
    n.put("outcome", e.outcome());
    n.put("detail", e.detail());
    return n;
  }

  private AuditEvent decode(String line, int lineNo) {
    try {
      JsonNode n = JSON.readTree(line);
      return new AuditEvent(Instant.parse(n.get("time").asText()), n.get("principal").asText(),
          n.get("method").asText(), n.get("action").asText(), n.get("resource").asText(), n.get("client").asText(),
          n.get("outcome").asText(), n.path("detail").asText(""));
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "skipping line " + lineNo + " of the audit log " + file() + ": it is not an audit event ("
          + e.getMessage() + ")");
      return null;
    }
  }
}
