package dev.quiver.server;

import dev.quiver.core.QuiverException;

/**
 * A materialization was asked for while another one runs on this server (one at a time: they write
 * the same tables and watermarks). Nothing was started; HTTP answers 409. Try again when {@code GET
 * /materialize/status} says the running one is done.
 */
public final class MaterializationRunningException extends QuiverException {
  public MaterializationRunningException(String message) {
    super(message);
  }
}
