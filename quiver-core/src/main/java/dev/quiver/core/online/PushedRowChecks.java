package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationException;
import dev.quiver.core.quality.ViewRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Validation at the entry of {@link Pusher#push(String, Map, Pusher.Target, Origin)}: the rows of a
 * push or a stream batch are checked ({@link ViewRules}) against the rules of every view over the
 * source, before anything is written. A row a {@code skip_row} rule of any of those views drops is
 * left out of the whole push (online and offline: rules guard the source's data as it enters) and
 * counted; a failing {@code fail} rule refuses the push ({@link ValidationException}, HTTP 422) — for
 * a stream batch as an {@link InvalidRequestException}, so the consumer refuses that event alone,
 * as it does a value that does not fit its type. Null-rate rules judge the push's rows; {@code
 * row_count} and {@code freshness} judge materialization runs only. Stateless.
 */
final class PushedRowChecks {
  private PushedRowChecks() {}

  /** The rows to write; {@link FutureRows.Admitted#rejected()} counts the rows dropped. */
  static FutureRows.Admitted check(Definitions defs, String sourceName, Map<String, List<Object>> columns, Origin origin,
      Instant now, Consumer<List<RuleResult>> sink) {
    List<FeatureView> views = defs.views().stream()
        .filter(v -> v.source().equals(sourceName) && !v.rules().isEmpty()).toList();
    if (views.isEmpty() || columns.isEmpty()) {
      return new FutureRows.Admitted(columns, origin, 0);
    }
    int rows = columns.values().iterator().next().size();
    boolean[] drop = new boolean[rows];
    List<RuleResult> results = new ArrayList<>();
    String entry = origin instanceof Origin.Stream ? "stream" : "push";
    for (FeatureView view : views) {
      ViewRules rules = ViewRules.cached(view);
      if (!rules.hasRowRules()) {
        continue;
      }
      List<ColumnFeature> cols = rules.columns();
      List<List<Object>> values = new ArrayList<>(cols.size());
      boolean complete = true;
      for (ColumnFeature c : cols) {
        List<Object> col = columns.get(c.column());
        complete &= col != null && col.size() == rows;
        values.add(col);
      }
      if (!complete) {
        continue; // the push itself names the missing column, or the view does not read this push
      }
      ViewRules.Run run = rules.start(entry, c -> cols.indexOf(c), false);
      Object[] row = new Object[cols.size()];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < row.length; i++) {
          row[i] = PushValues.coerce(cols.get(i).type(), values.get(i).get(r), cols.get(i).column(), r);
        }
        if (!run.admit(row)) {
          drop[r] = true;
        }
      }
      results.addAll(run.finish(null, now, rows));
    }
    boolean failed = ViewRules.failed(results);
    if (!(failed && origin instanceof Origin.Stream && rows > 1)) {
      // a stream batch a fail rule refuses is applied again event by event (the consumer's policy for a
      // refused batch): those single events record the results, so the batch's are not counted twice
      sink.accept(results);
    }
    if (failed) {
      ValidationException refused = new ValidationException(sourceName, "the pushed rows", results);
      if (origin instanceof Origin.Stream) {
        throw new InvalidRequestException(refused.getMessage(), refused);
      }
      throw refused;
    }
    int dropped = 0;
    for (boolean d : drop) {
      dropped += d ? 1 : 0;
    }
    return dropped == 0 ? new FutureRows.Admitted(columns, origin, 0) : FutureRows.drop(columns, origin, drop, dropped);
  }
}
