package dev.quiver.stream.kafka;

import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import java.util.List;
import java.util.Map;

/**
 * The online write a stream consumer applies each batch with: {@code Pusher.push(source, columns,
 * Target.ONLINE, origin)} over the registry version to serve (the CLI's, or the server's current one).
 * Called from consumer threads, one batch at a time per source.
 */
@FunctionalInterface
public interface StreamWriter {
  /**
   * Writes the rows of one partition's batch.
   *
   * @return what the push path did with the rows (rows it refused or dropped are counted from it)
   * @throws dev.quiver.core.InvalidRequestException when the rows do not fit the views (nothing is written)
   * @throws dev.quiver.core.QuiverException when a store fails (the batch is retried)
   */
  Pusher.Result write(String source, Map<String, List<Object>> columns, Origin.Stream origin);
}
