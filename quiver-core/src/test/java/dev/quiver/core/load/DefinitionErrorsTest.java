package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Problem;
import dev.quiver.core.TestRepos;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of definition error is reported with the file, the line, and a message that says
 * what to do. Each case is a small definition file with exactly one mistake.
 */
class DefinitionErrorsTest {
  @TempDir Path dir;

  private static final String HEAD = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      """;

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, yaml after HEAD (line 5 onwards), expected line, expected message fragments
        Arguments.of("unknown entity", """
            feature_views:
              - name: v
                entities: [usr]
                source: transactions
                features: [{name: amount}]
            """, 7, new String[] {"entity 'usr'", "did you mean 'user'"}),
        Arguments.of("unknown source", """
            feature_views:
              - name: v
                entities: [user]
                source: transaction
                features: [{name: amount}]
            """, 8, new String[] {"source 'transaction'", "did you mean 'transactions'"}),
        Arguments.of("unknown feature in service", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features: [{name: amount}]
            feature_services:
              - name: s
                features: [v:amout]
            """, 12, new String[] {"no feature 'amout'", "did you mean 'amount'"}),
        Arguments.of("unknown view in service", """
            feature_services:
              - name: s
                features: [nope:amount]
            """, 7, new String[] {"no view 'nope'"}),
        Arguments.of("unknown view in on-demand inputs", """
            on_demand_views:
              - name: o
                inputs: [missing]
                features: [{name: x, expr: "1"}]
            """, 7, new String[] {"'missing'", "not a defined feature view"}),
        Arguments.of("on-demand view reading neither a view nor request data", """
            on_demand_views:
              - name: o
                inputs: []
                features: [{name: x, expr: "1"}]
            """, 7, new String[] {"on-demand view 'o' reads neither a feature view nor request data",
                "inputs: [user_txn, request: {amount: float64}] (either alone is fine)"}),
        Arguments.of("one request field, two types", """
            on_demand_views:
              - name: a
                inputs: [request: {amount: float64}]
                features: [{name: x, expr: "request.amount * 2"}]
              - name: b
                inputs: [request: {amount: string}]
                features: [{name: y, expr: "request.amount"}]
            """, 9, new String[] {"request field 'amount' is string here but float64 in on-demand view 'a'",
                "declare it with one type"}),
        Arguments.of("on-demand view without inputs", """
            on_demand_views:
              - name: o
                features: [{name: x, expr: "1"}]
            """, 6, new String[] {"reads neither a feature view nor request data"}),
        Arguments.of("duplicate view", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features: [{name: amount}]
              - name: v
                entities: [user]
                source: transactions
                features: [{name: amount}]
            """, 10, new String[] {"defined twice", "first at"}),
        Arguments.of("duplicate feature", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: amount}
                  - {name: amount}
            """, 11, new String[] {"feature 'amount' is defined twice"}),
        Arguments.of("avg over a string", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: avg, column: country, window: 7d}
            """, 11, new String[] {"needs a numeric column", "'country' is string"}),
        Arguments.of("adding a string to a number", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: amount}
                  - {name: country}
                  - {name: bad, expr: "amount + country"}
            """, 12, new String[] {"derived feature 'bad'"}),
        Arguments.of("declared type differs from the data", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: amount, type: string}
            """, 10, new String[] {"declared string", "is float64"}),
        Arguments.of("zero hop", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 1d, hop: 0s}
            """, 11, new String[] {"hop must be at least 1s"}),
        Arguments.of("a window past any clock", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 99999999999999999999d}
            """, 11, new String[] {"'window' must be a duration", "at most 36600d"}),
        Arguments.of("a ttl of three centuries", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                ttl: 110000d
                features:
                  - {name: amount}
            """, 9, new String[] {"'ttl' must be a duration", "at most 36600d", "not '110000d'"}),
        Arguments.of("a ttl that overflows", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                ttl: 999999999999999d
                features:
                  - {name: amount}
            """, 9, new String[] {"'ttl' must be a duration"}),
        Arguments.of("zero window", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 0s}
            """, 11, new String[] {"window must be positive"}),
        Arguments.of("hop longer than window", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 1h, hop: 2h}
            """, 11, new String[] {"hop 2h is longer than the window 1h"}),
        Arguments.of("window not a multiple of the hop", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 7d, hop: 5h}
            """, 11, new String[] {"not a whole number of hops"}),
        Arguments.of("hop that does not divide a day", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 35m, hop: 7m}
            """, 11, new String[] {"must divide a day"}),
        Arguments.of("bad duration spelling", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 30 days}
            """, 11, new String[] {"duration such as"}),
        Arguments.of("unknown aggregate function", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: averag, column: amount, window: 7d}
            """, 11, new String[] {"unknown aggregate function 'averag'", "did you mean 'avg'"}),
        Arguments.of("cycle between derived features", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: a, expr: "b + 1"}
                  - {name: b, expr: "a * 2"}
            """, 10, new String[] {"form a cycle", "a -> b -> a"}),
        Arguments.of("source column missing from the files", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: amt, column: amont}
            """, 10, new String[] {"column 'amont'", "did you mean 'amount'"}),
        Arguments.of("invalid name", """
            feature_views:
              - name: user-txn
                entities: [user]
                source: transactions
                features: [{name: amount}]
            """, 6, new String[] {"'user-txn' is invalid", "letters, digits and '_'"}),
        Arguments.of("unknown key", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                ttl: 30d
                onlin: true
                features: [{name: amount}]
            """, 10, new String[] {"unknown key 'onlin'", "did you mean 'online'"}),
        Arguments.of("unknown type", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features: [{name: amount, type: decimal}]
            """, 9, new String[] {"unknown type 'decimal'"}),
        Arguments.of("missing required field", """
            feature_views:
              - name: v
                entities: [user]
                features: [{name: amount}]
            """, 6, new String[] {"needs 'source'"}),
        Arguments.of("invalid YAML", """
            feature_views:
              - name: v
                entities: [user
                source: transactions
            """, 8, new String[] {"not valid YAML"}),
        Arguments.of("unknown reference in an expression", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - {name: amount}
                  - {name: d, expr: "amout * 2"}
            """, 11, new String[] {"amout", "did you mean 'amount'"}),
        Arguments.of("filter that is not a condition", """
            feature_views:
              - name: v
                entities: [user]
                source: transactions
                features:
                  - name: c
                    aggregate: {fn: count, window: 7d, where: "amount * 2"}
            """, 11, new String[] {"'where' must be a condition"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsFileLineAndFix(String name, String body, int line, String[] fragments) {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + body));
    assertThatThrownBy(this::loadAndValidate)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems()).as(e.getMessage()).isNotEmpty();
          Problem p = e.problems().getFirst();
          assertThat(p.origin().file()).isEqualTo("features/defs.yaml");
          assertThat(p.origin().line()).as(e.getMessage()).isEqualTo(line);
          for (String f : fragments) {
            assertThat(p.message()).as(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void reportsEveryProblemAtOnceInFileOrder() {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + """
        feature_views:
          - name: v
            entities: [usr]
            source: transactions
            features:
              - {name: amt, column: amont}
              - name: c
                aggregate: {fn: avg, column: country, window: 7d}
        """));
    assertThatThrownBy(this::loadAndValidate)
        .isInstanceOfSatisfying(DefinitionException.class, e ->
            assertThat(e.problems()).extracting(p -> p.origin().line()).containsExactly(7, 10, 12));
  }

  @Test
  void sourceFileThatCannotBeReadIsReportedAtItsPath() {
    TestRepos.write(dir, Map.of("features/defs.yaml", """
        sources:
          - name: clicks
            path: data/clicks.parquet
            timestamp: ts
        """));
    assertThatThrownBy(this::loadAndValidate)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(3);
          assertThat(e.getMessage()).contains("source 'clicks'", "data/clicks.parquet");
        });
  }

  @Test
  void aFieldMappingOntoAColumnThatExistsIsRefused() {
    TestRepos.write(dir, Map.of("features/defs.yaml", """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - name: transactions
            path: data/transactions.parquet
            timestamp: event_ts
            field_mapping: {amount: country}
        feature_views:
          - name: v
            entities: [user]
            source: transactions
            features: [{name: c, column: country}]
        """));
    assertThatThrownBy(this::loadAndValidate)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(7);
          assertThat(e.getMessage()).contains("maps column 'amount' to 'country', a name its column 'country' already has");
        });
  }

  @Test
  void aFileThatIsNotUtf8IsReportedAtTheLineOfTheBadByte() throws Exception {
    TestRepos.write(dir, Map.of("features/defs.yaml", "entities: []\n"));
    byte[] latin1 = "entities:\n  - {name: user, join_keys: [user_id], type: int64}\n# caf\u00e9\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.nio.file.Files.write(dir.resolve("features/defs.yaml"), latin1);
    assertThatThrownBy(this::loadAndValidate)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(3);
          assertThat(e.getMessage()).contains("not UTF-8 text", "save it as UTF-8");
        });
  }

  @Test
  void missingQuiverYamlSaysHowToCreateOne(@TempDir Path empty) {
    assertThatThrownBy(() -> new DefinitionLoader().load(empty))
        .hasMessageContaining("no quiver.yaml")
        .hasMessageContaining("quiver init");
  }

  private void loadAndValidate() {
    LoadedRepo repo = new DefinitionLoader().load(dir);
    new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }
}
