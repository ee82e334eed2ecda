package dev.quiver.server;

import dev.quiver.core.QuiverException;
import java.util.List;

/**
 * A materialization was asked for while another one runs on this server (one at a time: they write
 * the same tables and watermarks). Nothing was started; HTTP answers 409. Try again when {@code GET
 * /materialize/status} says the running one is done.
 */
public final class MaterializationRunningException extends QuiverException {
  private final List<String> views;

  /** @param views the view versions the running materialization covers */
  public MaterializationRunningException(String message, List<String> views) {
    super(message);
    this.views = views == null ? List.of() : List.copyOf(views);
  }

  /** The view versions ({@code name@vN}) the running materialization covers; may be empty. */
  public List<String> views() {
    return views;
  }
}
