package dev.quiver.core.monitor.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.monitor.DriftStatistics;
import dev.quiver.core.monitor.DriftThresholds;
import dev.quiver.core.monitor.FeatureDrift;
import dev.quiver.core.quality.RuleResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page's structure and its escaping, with hostile text in every place data reaches. */
class ReportHtmlTest {
  static final String EVIL = "<script>alert(\"x\")</script>&'\u0001";
  static final String EVIL_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\uFFFD";

  @Test
  void everyTextFromDataIsEscapedAndNoScriptOrFetchIsInThePage() {
    String html = ReportHtml.render(report(EVIL));
    assertThat(html).doesNotContain("<script").doesNotContain("alert(\"x\")").doesNotContain("\u0001")
        .doesNotContainIgnoringCase("src=").doesNotContain("http://").doesNotContain("https://").doesNotContain("url(")
        .contains("default-src 'none'");
    // the hostile text shows up escaped wherever it went: title, labels, feature, category, view, rule, note, series
    assertThat(count(html, EVIL_ESCAPED)).isGreaterThanOrEqualTo(12);
    // every tag in the page is one the writer makes (an unescaped data value would add others)
    Matcher tags = Pattern.compile("<([a-zA-Z][a-zA-Z0-9]*)").matcher(html);
    java.util.Set<String> seen = new java.util.TreeSet<>();
    while (tags.find()) {
      seen.add(tags.group(1).toLowerCase(java.util.Locale.ROOT));
    }
    assertThat(seen).isSubsetOf("html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "b", "nav", "a", "main",
        "section", "table", "thead", "tbody", "tr", "th", "td", "span", "article", "svg", "rect", "text", "line", "g", "path", "circle",
        "ul", "li", "details", "summary", "code", "footer");
  }

  @Test
  void sectionsAndChartsAreThere() {
    String html = ReportHtml.render(report("amount"));
    for (String id : List.of("summary", "features", "drift-over-time", "skew", "freshness", "validation")) {
      assertThat(html).contains("<section id=\"" + id + "\">");
    }
    assertThat(count(html, "data-chart=\"histogram\"")).isEqualTo(2);
    assertThat(html).contains("data-chart=\"psi-over-time\"").contains("data-chart=\"skew-over-time\"").contains("data-chart=\"freshness\"")
        .contains("data-chart=\"validation\"").contains("DRIFT in 2 of 3 features: amount, amount_segment.");
    assertThat(count(html, "class=\"bar baseline\"")).isEqualTo(3 + 3); // numeric: 3 bins; categorical: a, b, other
    assertThat(count(html, "<circle class=\"point\"")).isEqualTo(3 + 2 + 2); // PSI: 3 + 2 finite points; skew: 2
  }

  @Test
  void aReportWithNothingComparedSaysSoRatherThanNoDrift() {
    Report r = report("x");
    Report none = new Report("t", r.generatedAt(), r.baseline(), r.current(), r.thresholds(),
        List.of(new Report.Feature(FeatureDrift.notCompared("gone", 1, 0, "absent from the current side"), null)), Report.Timeline.none("no time"),
        Report.Section.empty("no skew"), Report.Section.empty("no repo"), Report.Section.empty("no repo"));
    String html = ReportHtml.render(none);
    assertThat(html).contains("Nothing compared: none of the 1 features").doesNotContain("No drift").contains("no time").contains("no repo");
  }

  @Test
  void shortLabelsNeverSplitACharacter() {
    assertThat(Html.shorten("abc", 3)).isEqualTo("abc");
    assertThat(Html.shorten("abcdef", 4)).isEqualTo("abc\u2026");
    assertThat(Html.shorten("ab\uD83D\uDE00cd", 4)).isEqualTo("ab\u2026");
    assertThat(Html.escape(null)).isEmpty();
  }

  private static Report report(String name) {
    DriftThresholds t = DriftThresholds.DEFAULTS;
    double[] b = {1, 2, 3, 4, 5, 6};
    double[] c = {10, 11, 12, 13, 14, 15};
    FeatureDrift numeric = FeatureDrift.numeric(name, b, 1, c, 0, 3, t);
    Map<String, Long> bc = Map.of(name, 5L, "b", 2L, "c", 1L);
    Map<String, Long> cc = Map.of(name, 4L, "b", 2L, name + "!", 3L);
    FeatureDrift categorical = FeatureDrift.categorical(name + "_segment", bc, 0, cc, 1, 2, t);
    FeatureDrift absent = FeatureDrift.notCompared(name + "_gone", 10, 0, "absent from the current side");
    Instant now = Instant.parse("2026-03-10T12:00:00Z");
    List<Instant> days = List.of(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z"),
        Instant.parse("2026-03-03T00:00:00Z"));
    Report.Timeline timeline = new Report.Timeline("event_timestamp", "1d", days, new long[] {5, 6, 7},
        List.of(new Report.Series(name, new double[] {0.01, 0.2, 0.4}), new Report.Series(name + "_segment", new double[] {0.05, Double.NaN, 0.3})),
        "");
    Report.Section<Report.SkewPoint> skew = new Report.Section<>(List.of(new Report.SkewPoint(days.get(0), name, name, 100, 1),
        new Report.SkewPoint(days.get(1), name, name, 100, 3)), "");
    Report.Section<Report.ViewFreshness> fresh = new Report.Section<>(List.of(
        new Report.ViewFreshness(name + "@v1", now.minusSeconds(7200), now.minusSeconds(3600), now.minusSeconds(60)),
        new Report.ViewFreshness("never@v1", null, null, null)), "");
    Report.Section<RuleResult> validation = new Report.Section<>(List.of(
        new RuleResult(days.get(0), "materialize", name + "@v1", name, "allowed", "[" + name + "]", "warn", 10, 2, List.of(name), RuleResult.Outcome.WARNED),
        new RuleResult(days.get(1), "materialize", name + "@v1", name, "min", "0", "warn", 10, 0, List.of(), RuleResult.Outcome.PASSED)), "");
    return new Report(name, now, new Report.Side(name, 7), new Report.Side(name + ".parquet", 7), t,
        List.of(new Report.Feature(numeric, Histogram.numeric(b, c, 3)),
            new Report.Feature(categorical, Histogram.categorical(DriftStatistics.categoryBins(bc, cc, 2))),
            new Report.Feature(absent, null)),
        timeline, skew, fresh, validation);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }
}
