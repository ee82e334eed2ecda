package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The one shape of the commands that list records the registry store keeps ({@code quiver audit
 * log}, {@code quiver validate results}, {@code quiver monitor skew results}): the options {@code
 * --since}, {@code --until}, {@code --limit} and {@code --output table|json} (a picocli mixin), the
 * same time forms ({@link Times#parseWhen}), the newest {@code --limit} records oldest first, a JSON
 * array of one object per record, a table otherwise, and the same messages. Each command adds its
 * filter ({@code --view}, {@code --service}) and says how to read and print its records ({@link
 * Kind}).
 */
final class RecordListing {
  /** {@code table} (alias {@code text}, as the other commands spell it) or {@code json}. */
  enum Format {
    table,
    text,
    json
  }

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Records at or after: a duration back from now (90s, 15m, 1h, 7d) or a time (2026-03-01,"
          + " 2026-03-01T12:00:00Z). Default 1d (monitor skew results: 7d).")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "Records before this time or duration back from now. Default: none.")
  String until;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most the newest N records. Default 1000.")
  int limit;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default; text is the same) or json: an array of one object per record.")
  Format format;

  /**
   * How one command reads and prints its records.
   *
   * @param plural the records' name in messages ({@code audit events})
   * @param filter the command's filter in messages ({@code for view user_txn}), or empty
   * @param read the records at or after a time, oldest first; throws UnsupportedOperationException
   *     when the registry store keeps none
   * @param time a record's time
   * @param json writes a record's fields into its JSON object
   * @param header the table's column names
   * @param row a record's table cells
   */
  record Kind<T>(String plural, String filter, Function<Instant, List<T>> read, Function<T, Instant> time,
      BiConsumer<T, ObjectNode> json, String[] header, Function<T, String[]> row) {}

  /**
   * Reads and prints the records of {@code kind}.
   *
   * @param defaultSince {@code --since} when not given
   * @throws QuiverException on a bad option or when the registry store keeps no such records
   */
  <T> void print(Kind<T> kind, String defaultSince, PrintWriter out, PrintWriter err) {
    if (limit < 1) {
      throw new QuiverException("--limit must be at least 1, not " + limit);
    }
    Instant from = Times.parseWhen(since == null ? defaultSince : since, "--since");
    Instant to = until == null ? null : Times.parseWhen(until, "--until");
    if (to != null && !from.isBefore(to)) {
      throw new QuiverException("--since " + from + " is not before --until " + to + ": no record can lie in between");
    }
    List<T> all = readOrExplain(kind.plural(), () -> kind.read().apply(from));
    if (to != null) {
      all = all.stream().filter(r -> kind.time().apply(r).isBefore(to)).toList();
    }
    List<T> shown = all.subList(Math.max(0, all.size() - limit), all.size());
    String range = "since " + from + (to == null ? "" : " until " + to) + kind.filter();
    if (format == Format.json) {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      shown.forEach(r -> kind.json().accept(r, arr.addObject()));
      Json.print(arr, out);
    } else if (shown.isEmpty()) {
      out.println("No " + kind.plural() + " " + range + ".");
    } else {
      Table t = new Table(kind.header());
      shown.forEach(r -> t.add(kind.row().apply(r)));
      t.print(out);
    }
    if (all.size() > shown.size()) { // on stderr with json, so that stdout stays one JSON document
      (format == Format.json ? err : out).printf("(the newest %d of %d %s %s; --limit N shows more)%n", shown.size(),
          all.size(), kind.plural(), range);
    }
    out.flush();
    err.flush();
  }

  /** What {@code read} returns; a store that keeps no such records is a one-line error naming the ones that do. */
  static <T> T readOrExplain(String plural, Supplier<T> read) {
    try {
      return read.get();
    } catch (UnsupportedOperationException e) {
      throw new QuiverException("this registry store keeps no " + plural + "; the file and PostgreSQL registries do"
          + " (registry: {type: file} or {type: postgres, ...} in quiver.yaml)");
    }
  }

  /** A time as text, or null. */
  static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
