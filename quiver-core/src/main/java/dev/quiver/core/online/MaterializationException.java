package dev.quiver.core.online;

import dev.quiver.core.SourceDataException;
import java.util.List;

/**
 * Some views could not be materialized because their sources' data could not be read (a missing,
 * unreadable or damaged file, a refused value); every other view was, and its watermark moved. The
 * failed views' watermarks did not move: once the data is fixed, running them again completes them.
 * A {@link SourceDataException} whose {@link #source()} and {@link #file()} are the first failure's;
 * the message has one line per failed view, naming its source and file.
 */
public final class MaterializationException extends SourceDataException {
  private final List<Materializer.ViewResult> completed;
  private final List<ViewFailure> failed;

  /** One view that was not materialized, and why. */
  public record ViewFailure(String view, SourceDataException cause) {
    /** {@code view: reason}, one line. */
    public String describe() {
      return view + ": " + cause.getMessage();
    }
  }

  /**
   * @param completed the views that were materialized, in run order
   * @param failed at least one view that was not
   */
  public MaterializationException(List<Materializer.ViewResult> completed, List<ViewFailure> failed) {
    super(failed.getFirst().cause().source(), failed.getFirst().cause().file(), message(completed, failed),
        failed.getFirst().cause());
    this.completed = List.copyOf(completed);
    this.failed = List.copyOf(failed);
  }

  /** The views that were materialized. */
  public List<Materializer.ViewResult> completed() {
    return completed;
  }

  /** The views that were not, each with its source's problem. */
  public List<ViewFailure> failed() {
    return failed;
  }

  private static String message(List<Materializer.ViewResult> completed, List<ViewFailure> failed) {
    int total = completed.size() + failed.size();
    StringBuilder b = new StringBuilder()
        .append(failed.size()).append(" of ").append(total).append(total == 1 ? " view" : " views")
        .append(" could not be materialized because of their source data")
        .append(completed.isEmpty() ? "" : " (the others were, and their watermarks moved)")
        .append("; fix the data and run again:");
    failed.forEach(f -> b.append("\n  ").append(f.describe()));
    return b.toString();
  }
}
