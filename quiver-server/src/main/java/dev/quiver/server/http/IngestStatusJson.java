package dev.quiver.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.server.IngestStatus;
import dev.quiver.stream.kafka.SourceStatus;
import java.util.Locale;

/** The JSON of {@code GET /ingest/status}: the server's stream consumers (docs/streams.md). Stateless. */
final class IngestStatusJson {
  private IngestStatusJson() {}

  static ObjectNode of(ObjectMapper mapper, IngestStatus s) {
    ObjectNode n = mapper.createObjectNode();
    n.put("enabled", s.enabled());
    if (!s.enabled()) {
      n.put("message", "this server consumes no streams; start it with quiver serve --ingest");
      return n;
    }
    n.put("registry_version", s.registryVersion());
    if (s.problem() != null) {
      n.put("problem", s.problem());
    }
    ArrayNode sources = n.putArray("sources");
    for (SourceStatus c : s.sources()) {
      ObjectNode o = sources.addObject();
      o.put("source", c.source());
      o.put("group", c.group());
      o.put("state", c.state().name().toLowerCase(Locale.ROOT));
      o.put("since", c.since().toString());
      o.put("events", c.events());
      o.put("refused", c.refused());
      o.put("late", c.late());
      o.put("lag", c.lag());
      o.put("caught_up", c.caughtUp());
      if (c.error() != null) {
        o.put("error", c.error());
      }
      ArrayNode partitions = o.putArray("partitions");
      for (SourceStatus.Partition p : c.partitions()) {
        ObjectNode po = partitions.addObject();
        po.put("partition", p.partition());
        po.put("committed", p.committed());
        po.put("lag", p.lag());
      }
    }
    return n;
  }
}
