package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Problem;
import dev.quiver.core.TestRepos;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnFail;
import dev.quiver.core.model.ValidationRule;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.validate.DefinitionValidator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation rules in YAML: what they read as, and every mistake reported with file, line and fix. */
class ValidationDefinitionTest {
  @TempDir Path dir;

  private static final String HEAD = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: v
          entities: [user]
          source: transactions
      """;

  static final String GOOD = HEAD + """
          validation:
            row_count: {min: 10, max: 1000000, on_fail: fail}
            freshness: 2h
          features:
            - name: amount
              validation:
                not_null: true
                min: {value: 0, on_fail: skip_row}
                max: 10000.5
                expr: "amount < 20000 or country = 'US'"
                on_fail: fail
            - name: country
              validation:
                allowed: [US, FR, DE]
                pattern: {value: "^[A-Z]{2}$", on_fail: warn}
                not_null: 0.05
            - {name: channel}
      """;

  @Test
  void rulesReadAsWrittenWithTheBlockDefault() {
    TestRepos.write(dir, Map.of("features/defs.yaml", GOOD));
    FeatureView v = load().view("v", 1).orElseThrow();
    assertThat(v.rules()).containsExactly(
        new ValidationRule.NotNull("amount", null, OnFail.FAIL),
        new ValidationRule.Min("amount", new BigDecimal("0"), OnFail.SKIP_ROW),
        new ValidationRule.Max("amount", new BigDecimal("10000.5"), OnFail.FAIL),
        new ValidationRule.Expr("amount", "amount < 20000 or country = 'US'", OnFail.FAIL),
        new ValidationRule.Allowed("country", List.of("US", "FR", "DE"), OnFail.WARN),
        new ValidationRule.Pattern("country", "^[A-Z]{2}$", OnFail.WARN),
        new ValidationRule.NotNull("country", 0.05, OnFail.WARN),
        new ValidationRule.RowCount(10L, 1_000_000L, OnFail.FAIL),
        new ValidationRule.Freshness(Duration.ofHours(2), OnFail.WARN));
  }

  @Test
  void theJavaBuilderMakesTheSameView() {
    TestRepos.write(dir, Map.of("features/defs.yaml", GOOD));
    FeatureView yaml = load().view("v", 1).orElseThrow();
    FeatureView java = ViewBuilder.named("v").entities("user").source("transactions")
        .column("amount").column("country").column("channel")
        .rule(new ValidationRule.NotNull("amount", null, OnFail.FAIL))
        .rule(new ValidationRule.Min("amount", BigDecimal.ZERO, OnFail.SKIP_ROW))
        .rule(new ValidationRule.Max("amount", new BigDecimal("10000.5"), OnFail.FAIL))
        .rule(new ValidationRule.Expr("amount", "amount < 20000 or country = 'US'", OnFail.FAIL))
        .rule(new ValidationRule.Allowed("country", List.of("US", "FR", "DE"), OnFail.WARN))
        .rule(new ValidationRule.Pattern("country", "^[A-Z]{2}$", OnFail.WARN))
        .rule(new ValidationRule.NotNull("country", 0.05, OnFail.WARN))
        .rule(new ValidationRule.RowCount(10L, 1_000_000L, OnFail.FAIL))
        .rule(new ValidationRule.Freshness(Duration.ofHours(2), OnFail.WARN))
        .build();
    Definitions typed = new DefinitionValidator(TestRepos.schemas(), dir)
        .validate(Definitions.builder("payments").entity(load().entity("user").orElseThrow())
            .source(load().source("transactions").orElseThrow()).view(java).build(), Origins.none(), Set.of());
    assertThat(typed.view("v", 1).orElseThrow().rules()).isEqualTo(yaml.rules());
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of("unknown rule", """
              features:
                - name: amount
                  validation: {mni: 0}
            """, 11, new String[] {"unknown key 'mni'", "did you mean 'min'"}),
        Arguments.of("min that is not a number", """
              features:
                - name: amount
                  validation: {min: zero}
            """, 11, new String[] {"'min' must be a number", "'zero'"}),
        Arguments.of("min greater than max", """
              features:
                - name: amount
                  validation:
                    min: 100
                    max: 10
            """, 12, new String[] {"min 100 is greater than max 10"}),
        Arguments.of("regex that does not compile", """
              features:
                - name: country
                  validation: {pattern: "[A-Z"}
            """, 11, new String[] {"not a regular expression", "Unclosed character class"}),
        Arguments.of("unknown on_fail", """
              features:
                - name: amount
                  validation: {min: 0, on_fail: skip}
            """, 11, new String[] {"on_fail must be one of warn (the default), skip_row, fail", "not 'skip'"}),
        Arguments.of("skip_row on a null rate", """
              features:
                - name: amount
                  validation: {not_null: {value: 0.1, on_fail: skip_row}}
            """, 11, new String[] {"a null rate judges a whole run", "use on_fail: warn or fail"}),
        Arguments.of("skip_row on row_count", """
              validation:
                row_count: {min: 1, on_fail: skip_row}
              features: [{name: amount}]
            """, 10, new String[] {"row_count judges a whole run", "skip_row cannot apply"}),
        Arguments.of("expr that does not type-check", """
              features:
                - name: amount
                  validation: {expr: "amount + 1"}
            """, 11, new String[] {"gives float64", "it must be a condition (bool)"}),
        Arguments.of("expr reading an unknown name", """
              features:
                - name: amount
                  validation: {expr: "amout > 0"}
            """, 11, new String[] {"amout", "reads the view's column features: amount"}),
        Arguments.of("min on a string", """
              features:
                - name: country
                  validation: {min: 0}
            """, 11, new String[] {"compares numbers, but the feature is string"}),
        Arguments.of("allowed value of the wrong type", """
              features:
                - name: amount
                  validation: {allowed: [1.5, abc]}
            """, 11, new String[] {"'abc' is not a float64 value"}),
        Arguments.of("rule on a computed feature", """
              features:
                - name: amount
                - name: doubled
                  expr: "amount * 2"
                  validation: {min: 0}
            """, 13, new String[] {"rules judge values as they enter", "put the rule on a column feature it reads"}),
        Arguments.of("bad freshness", """
              validation: {freshness: soon}
              features: [{name: amount}]
            """, 9, new String[] {"freshness must be a positive duration", "'soon'"}),
        Arguments.of("feature rules on the view", """
              validation: {min: 0}
              features: [{name: amount}]
            """, 9, new String[] {"unknown key 'min'", "feature rules go under a feature's own 'validation:'"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void mistakesAreReportedWithFileLineAndFix(String name, String body, int line, String[] fragments) {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + body.indent(2)));
    assertThatThrownBy(this::load)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          Problem p = e.problems().getFirst();
          assertThat(p.origin().file()).isEqualTo("features/defs.yaml");
          assertThat(p.origin().line()).as(e.getMessage()).isEqualTo(line);
          for (String f : fragments) {
            assertThat(p.message()).as(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void aRuleOnAFeatureTheViewDoesNotDefineIsRefusedInJava() {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + "    features: [{name: amount}]\n"));
    Definitions loaded = load();
    FeatureView bad = loaded.view("v", 1).orElseThrow()
        .withRules(List.of(new ValidationRule.Min("amout", BigDecimal.ONE, OnFail.WARN)));
    Definitions defs = Definitions.builder("payments").entity(loaded.entity("user").orElseThrow())
        .source(loaded.source("transactions").orElseThrow()).view(bad).build();
    assertThatThrownBy(() -> new DefinitionValidator(TestRepos.schemas(), dir).validate(defs, Origins.none(), Set.of()))
        .hasMessageContaining("is on 'amout', which view 'v' does not define")
        .hasMessageContaining("did you mean 'amount'");
  }

  private Definitions load() {
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }
}
