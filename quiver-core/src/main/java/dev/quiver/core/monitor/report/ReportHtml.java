package dev.quiver.core.monitor.report;

import dev.quiver.core.monitor.FeatureDrift;
import dev.quiver.core.monitor.Measure;
import dev.quiver.core.monitor.Verdict;
import dev.quiver.core.quality.RuleResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link Report} as one self-contained HTML page: inline CSS, inline SVG charts, no script,
 * nothing fetched (a Content-Security-Policy forbids it), every text from data escaped. Sections, each
 * a {@code <section>} with a stable id: {@code summary}, {@code features}, {@code drift-over-time},
 * {@code skew}, {@code freshness}, {@code validation}. Stateless and thread-safe.
 */
public final class ReportHtml {
  /** The most recent validation results that did not pass listed in a table (the chart counts all). */
  public static final int VALIDATION_ROWS = 20;

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final String[] OUTCOMES = {"passed", "warned", "skipped", "failed"};
  private static final String[] OUTCOME_COLOURS = {"#54a24b", "#eeca3b", "#9d755d", "#e45756"};

  private ReportHtml() {}

  /** The page as a string. */
  public static String render(Report report) {
    StringBuilder b = new StringBuilder(64 * 1024);
    page(b, report);
    return b.toString();
  }

  /**
   * Writes the page to {@code out} (not closed).
   *
   * @throws UncheckedIOException when {@code out} fails
   */
  public static void write(Report report, Writer out) {
    try {
      out.write(render(report));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void page(StringBuilder b, Report r) {
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<meta name=\"generator\" content=\"quiver monitor report\">")
        .append("<title>").append(e(r.title())).append("</title><style>").append(CSS).append("</style></head><body>\n");
    b.append("<header><h1>").append(e(r.title())).append("</h1><p class=\"meta\">Generated ").append(SECOND.format(r.generatedAt()))
        .append(". Baseline: <b>").append(e(r.baseline().label())).append("</b>, ").append(count(r.baseline().rows()))
        .append(" rows. Current: <b>").append(e(r.current().label())).append("</b>, ").append(count(r.current().rows()))
        .append(" rows.</p><nav><a href=\"#summary\">Summary</a><a href=\"#features\">Distributions</a>")
        .append("<a href=\"#drift-over-time\">Drift over time</a><a href=\"#skew\">Skew</a><a href=\"#freshness\">Freshness</a>")
        .append("<a href=\"#validation\">Validation</a></nav></header>\n<main>\n");
    summary(b, r);
    features(b, r);
    timeline(b, r);
    skew(b, r);
    freshness(b, r);
    validation(b, r);
    b.append("</main><footer>quiver monitor report \u00b7 PSI warn &gt; ").append(r.thresholds().psiWarn()).append(", fail &gt; ")
        .append(r.thresholds().psiFail()).append("</footer></body></html>\n");
  }

  private static void summary(StringBuilder b, Report r) {
    List<String> drifted = new ArrayList<>();
    List<String> warned = new ArrayList<>();
    long compared = 0;
    for (Report.Feature f : r.features()) {
      FeatureDrift d = f.drift();
      compared += d.kind() == FeatureDrift.Kind.NOT_COMPARED ? 0 : 1;
      if (d.verdict() == Verdict.DRIFT) {
        drifted.add(d.feature());
      } else if (d.verdict() == Verdict.WARN) {
        warned.add(d.feature());
      }
    }
    b.append("<section id=\"summary\"><h2>Summary</h2>");
    if (compared == 0) {
      b.append("<p class=\"verdict none\">Nothing compared: none of the ").append(r.features().size())
          .append(" features has values of a compared type on both sides (see the notes).</p>");
    } else if (drifted.isEmpty()) {
      b.append("<p class=\"verdict ok\">No drift: ").append(compared).append(" of ").append(r.features().size())
          .append(" features compared, none past a fail threshold").append(warned.isEmpty() ? "" : "; warnings: " + e(String.join(", ", warned)))
          .append(".</p>");
    } else {
      b.append("<p class=\"verdict drift\">DRIFT in ").append(drifted.size()).append(" of ").append(r.features().size())
          .append(" features: ").append(e(String.join(", ", drifted))).append(".</p>");
    }
    b.append("<table class=\"features\"><thead><tr><th>feature</th><th>kind</th><th>verdict</th><th>PSI</th><th>KS / \u03c7\u00b2</th>")
        .append("<th>p-value</th><th>null rate (baseline \u2192 current)</th><th>note</th></tr></thead><tbody>");
    int i = 0;
    for (Report.Feature f : r.features()) {
      FeatureDrift d = f.drift();
      i++;
      b.append("<tr><td><a href=\"#feature-").append(i).append("\">").append(e(d.feature())).append("</a></td><td>")
          .append(d.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append("</td><td>").append(badge(d)).append("</td><td>")
          .append(value(d, "psi")).append("</td><td>").append(d.kind() == FeatureDrift.Kind.CATEGORICAL ? value(d, "chi2") : value(d, "ks"))
          .append("</td><td>").append(d.kind() == FeatureDrift.Kind.CATEGORICAL ? value(d, "chi2_p") : value(d, "ks_p")).append("</td><td>")
          .append(rate(d.baselineNullRate())).append(" \u2192 ").append(rate(d.currentNullRate())).append("</td><td>").append(e(d.note()))
          .append("</td></tr>");
    }
    b.append("</tbody></table></section>\n");
  }

  private static void features(StringBuilder b, Report r) {
    b.append("<section id=\"features\"><h2>Feature distributions</h2><p class=\"hint\">Each side's share of its non-null values:"
        + " numbers in equal-width bins over both sides' range, categories as the baseline's most frequent values and "
        + "<code>__other__</code>. PSI is computed over the baseline's quantile bins.</p>");
    int i = 0;
    for (Report.Feature f : r.features()) {
      FeatureDrift d = f.drift();
      i++;
      b.append("<article class=\"feature\" id=\"feature-").append(i).append("\" data-feature=\"").append(e(d.feature())).append("\"><h3>")
          .append(e(d.feature())).append(' ').append(badge(d)).append("</h3><p class=\"stats\">");
      for (Measure m : d.measures()) {
        b.append("<span>").append(e(m.statistic())).append(" <b>").append(number(m.value())).append("</b></span>");
      }
      b.append("<span>null rate <b>").append(rate(d.baselineNullRate())).append(" \u2192 ").append(rate(d.currentNullRate()))
          .append("</b></span></p>");
      if (!d.note().isEmpty()) {
        b.append("<p class=\"note\">").append(e(d.note())).append("</p>");
      }
      if (f.histogram() != null && !f.histogram().labels().isEmpty()) {
        b.append(SvgChart.bars("histogram", f.histogram()));
      }
      b.append("</article>\n");
    }
    b.append("</section>\n");
  }

  private static void timeline(StringBuilder b, Report r) {
    Report.Timeline t = r.timeline();
    b.append("<section id=\"drift-over-time\"><h2>Drift over time</h2>");
    if (t.starts().isEmpty()) {
      b.append("<p class=\"empty\">").append(e(t.note().isEmpty() ? "No time buckets." : t.note())).append("</p></section>\n");
      return;
    }
    b.append("<p class=\"hint\">PSI of each ").append(e(t.bucket())).append(" bucket of the current side (by <code>")
        .append(e(t.timeColumn())).append("</code>) against the whole baseline, over the same bins.")
        .append(t.note().isEmpty() ? "" : " " + e(t.note())).append("</p>");
    DateTimeFormatter fmt = t.bucket().endsWith("d") ? DAY : HOUR;
    List<String> labels = t.starts().stream().map(fmt::format).toList();
    b.append(SvgChart.lines("psi-over-time", labels, t.series(), new double[] {r.thresholds().psiWarn(), r.thresholds().psiFail()},
        new String[] {"warn " + r.thresholds().psiWarn(), "fail " + r.thresholds().psiFail()}, false));
    legend(b, t.series());
    b.append("<details><summary>Rows per bucket</summary><table><thead><tr><th>bucket</th><th>rows</th></tr></thead><tbody>");
    for (int i = 0; i < labels.size(); i++) {
      b.append("<tr><td>").append(e(labels.get(i))).append("</td><td>").append(count(t.rows()[i])).append("</td></tr>");
    }
    b.append("</tbody></table></details></section>\n");
  }

  private static void skew(StringBuilder b, Report r) {
    Report.Section<Report.SkewPoint> s = r.skew();
    b.append("<section id=\"skew\"><h2>Skew over time</h2>");
    if (s.rows().isEmpty()) {
      b.append("<p class=\"empty\">").append(e(s.note().isEmpty() ? "No skew results recorded." : s.note())).append("</p></section>\n");
      return;
    }
    if (!s.note().isEmpty()) {
      b.append("<p class=\"hint\">").append(e(s.note())).append("</p>");
    }
    // one series per service and feature, over the distinct run times
    TreeMap<Instant, Integer> times = new TreeMap<>();
    s.rows().forEach(p -> times.put(p.time(), 0));
    int k = 0;
    for (Map.Entry<Instant, Integer> t : times.entrySet()) {
      t.setValue(k++);
    }
    Map<String, double[]> series = new TreeMap<>();
    for (Report.SkewPoint p : s.rows()) {
      double[] v = series.computeIfAbsent(p.service() + " " + p.feature(), x -> filled(times.size()));
      v[times.get(p.time())] = p.rate();
    }
    List<Report.Series> list = series.entrySet().stream().map(x -> new Report.Series(x.getKey(), x.getValue())).toList();
    b.append(SvgChart.lines("skew-over-time", times.keySet().stream().map(HOUR::format).toList(), list, new double[0], new String[0], true));
    legend(b, list);
    b.append("</section>\n");
  }

  private static void freshness(StringBuilder b, Report r) {
    Report.Section<Report.ViewFreshness> s = r.freshness();
    b.append("<section id=\"freshness\"><h2>Freshness per view</h2>");
    if (!s.note().isEmpty()) {
      b.append("<p class=\"").append(s.rows().isEmpty() ? "empty" : "hint").append("\">").append(e(s.note())).append("</p>");
    }
    if (s.rows().isEmpty()) {
      b.append("</section>\n");
      return;
    }
    List<String> labels = new ArrayList<>();
    List<Double> ages = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    b.append("<table class=\"freshness\"><thead><tr><th>view</th><th>newest event online</th><th>age</th><th>materialized up to</th>")
        .append("<th>materialized at</th></tr></thead><tbody>");
    for (Report.ViewFreshness v : s.rows()) {
      Duration age = v.newestEvent() == null ? null : Duration.between(v.newestEvent(), r.generatedAt());
      b.append("<tr><td>").append(e(v.view())).append("</td><td>").append(time(v.newestEvent())).append("</td><td>")
          .append(age == null ? "-" : age(age)).append("</td><td>").append(time(v.watermark())).append("</td><td>")
          .append(time(v.materializedAt())).append("</td></tr>");
      if (age != null) {
        labels.add(v.view());
        ages.add((double) Math.max(0, age.toSeconds()));
        texts.add(age(age));
      }
    }
    b.append("</tbody></table>");
    if (!labels.isEmpty()) {
      b.append("<p class=\"hint\">Age of the newest event time online (now minus it):</p>")
          .append(SvgChart.hbars("freshness", labels, ages.stream().mapToDouble(Double::doubleValue).toArray(), texts.toArray(String[]::new),
              SvgChart.BASELINE));
    }
    b.append("</section>\n");
  }

  private static void validation(StringBuilder b, Report r) {
    Report.Section<RuleResult> s = r.validation();
    b.append("<section id=\"validation\"><h2>Validation results</h2>");
    if (!s.note().isEmpty()) {
      b.append("<p class=\"").append(s.rows().isEmpty() ? "empty" : "hint").append("\">").append(e(s.note())).append("</p>");
    }
    if (s.rows().isEmpty()) {
      b.append("</section>\n");
      return;
    }
    TreeMap<String, long[]> perDay = new TreeMap<>();
    for (RuleResult x : s.rows()) {
      perDay.computeIfAbsent(DAY.format(x.time()), d -> new long[OUTCOMES.length])[x.outcome().ordinal()]++;
    }
    b.append("<p class=\"hint\">Rule results per day by outcome.</p>")
        .append(SvgChart.stacked("validation", List.copyOf(perDay.keySet()), OUTCOMES, OUTCOME_COLOURS, perDay.values().toArray(long[][]::new)));
    List<RuleResult> bad = s.rows().stream().filter(x -> x.outcome() != RuleResult.Outcome.PASSED).toList();
    bad = bad.subList(Math.max(0, bad.size() - VALIDATION_ROWS), bad.size());
    if (bad.isEmpty()) {
      b.append("<p>Every rule passed.</p>");
    } else {
      b.append("<table class=\"validation\"><thead><tr><th>time</th><th>entry</th><th>view</th><th>feature</th><th>rule</th><th>failed</th>")
          .append("<th>outcome</th><th>samples</th></tr></thead><tbody>");
      for (int i = bad.size() - 1; i >= 0; i--) {
        RuleResult x = bad.get(i);
        b.append("<tr><td>").append(time(x.time())).append("</td><td>").append(e(x.entry())).append("</td><td>").append(e(x.view()))
            .append("</td><td>").append(e(x.feature() == null ? "-" : x.feature())).append("</td><td>").append(e(x.rule() + "(" + x.argument() + ")"))
            .append("</td><td>").append(count(x.rowsFailed())).append(" of ").append(count(x.rowsChecked())).append("</td><td class=\"")
            .append(x.outcome().spelling()).append("\">").append(x.outcome().spelling()).append("</td><td>")
            .append(e(String.join(", ", x.samples()))).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    b.append("</section>\n");
  }

  private static void legend(StringBuilder b, List<Report.Series> series) {
    b.append("<ul class=\"legend\">");
    for (int i = 0; i < series.size(); i++) {
      b.append("<li><span class=\"swatch\" style=\"background:").append(SvgChart.colour(i)).append("\"></span>")
          .append(e(series.get(i).name())).append("</li>");
    }
    b.append("</ul>");
  }

  private static String badge(FeatureDrift d) {
    String v = d.kind() == FeatureDrift.Kind.NOT_COMPARED ? "not compared" : d.verdict().name().toLowerCase(Locale.ROOT);
    return "<span class=\"badge " + v.replace(' ', '-') + "\">" + v + "</span>";
  }

  private static String value(FeatureDrift d, String statistic) {
    return d.measures().stream().filter(m -> m.statistic().equals(statistic)).findFirst().map(m -> number(m.value())).orElse("-");
  }

  private static double[] filled(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, Double.NaN);
    return v;
  }

  static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v != 0 && Math.abs(v) < 1e-4 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String rate(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", v * 100);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String time(Instant t) {
    return t == null ? "-" : SECOND.format(t);
  }

  static String age(Duration d) {
    long s = Math.abs(d.toSeconds());
    String sign = d.isNegative() ? "-" : "";
    if (s < 120) {
      return sign + s + " s";
    }
    if (s < 2 * 3600) {
      return sign + s / 60 + " min";
    }
    if (s < 2 * 86400) {
      return sign + String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }
    return sign + String.format(Locale.ROOT, "%.1f d", s / 86400.0);
  }

  private static String e(String s) {
    return Html.escape(s);
  }

  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
      header{background:#fff;border-bottom:1px solid #ddd;padding:16px 28px}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:0 0 6px}
      .meta{color:#555;margin:0 0 8px}nav a{margin-right:14px;color:#2a6ebb;text-decoration:none}
      main{padding:12px 28px;max-width:1100px}
      section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 18px;margin:14px 0}
      article.feature{border-top:1px solid #eee;padding:10px 0}
      table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #eee;padding:4px 10px;text-align:left;vertical-align:top}
      th{background:#f3f3f3;font-weight:600}
      .verdict{font-size:16px;font-weight:600;padding:8px 12px;border-radius:4px}
      .verdict.ok{background:#e6f4ea;color:#1e6b34}.verdict.none{background:#f1f1f1;color:#444}.verdict.drift{background:#fde8e8;color:#a61b1b}
      .badge{font-size:12px;padding:1px 7px;border-radius:9px;background:#eee;color:#444;font-weight:600}
      .badge.drift{background:#e45756;color:#fff}.badge.warn{background:#eeca3b;color:#222}.badge.ok{background:#54a24b;color:#fff}
      .stats span{margin-right:16px;color:#444}.note{color:#8a5a00}.hint,.empty{color:#666}
      svg.chart{display:block;margin:6px 0}svg .tick,svg .label,svg .value{font-size:11px;fill:#444}
      ul.legend{list-style:none;padding:0;margin:4px 0}ul.legend li{display:inline-block;margin-right:14px}
      .swatch{display:inline-block;width:10px;height:10px;margin-right:5px}
      td.failed{color:#a61b1b;font-weight:600}td.warned{color:#8a5a00}
      footer{color:#777;padding:8px 28px 24px}
      """;
}
