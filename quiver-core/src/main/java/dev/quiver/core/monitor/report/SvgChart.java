package dev.quiver.core.monitor.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts as text: grouped bars (histograms), lines (values per time bucket), stacked bars
 * (counts per day) and horizontal bars (one value per row). Fixed pixel sizes, no script; every label
 * is escaped, and each mark carries a {@code <title>} (its value on hover). Stateless.
 */
final class SvgChart {
  /** The baseline's bars. */
  static final String BASELINE = "#4c78a8";
  /** The current side's bars. */
  static final String CURRENT = "#f58518";
  /** Line colours, taken in turn. */
  static final String[] PALETTE = {"#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#eeca3b",
      "#ff9da6", "#bab0ac"};

  static final int WIDTH = 640;
  private static final int LEFT = 52;
  private static final int RIGHT = 12;
  private static final int TOP = 14;

  private SvgChart() {}

  /** A colour of {@link #PALETTE} for the i-th series. */
  static String colour(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  /** Grouped bars: per bin, the baseline's share then the current side's, on a percent axis. */
  static String bars(String kind, Histogram h) {
    int height = 250;
    int bottom = 70;
    int n = h.labels().size();
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, Math.max(h.baseline()[i], h.current()[i]));
    }
    double top = niceCeiling(max);
    StringBuilder s = open(kind, height, "histogram");
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = height - TOP - bottom;
    yAxis(s, top, plotH, height - bottom, true);
    double gw = plotW / Math.max(n, 1);
    int every = Math.max(1, (int) Math.ceil(n / 16.0));
    for (int i = 0; i < n; i++) {
      double x = LEFT + i * gw;
      String label = h.labels().get(i);
      bar(s, "bar baseline", BASELINE, x + gw * 0.08, gw * 0.42, h.baseline()[i], top, plotH, height - bottom,
          "baseline " + label + ": " + percent(h.baseline()[i]));
      bar(s, "bar current", CURRENT, x + gw * 0.5, gw * 0.42, h.current()[i], top, plotH, height - bottom,
          "current " + label + ": " + percent(h.current()[i]));
      if (i % every == 0) {
        double lx = x + gw / 2;
        double ly = height - bottom + 12;
        s.append("<text class=\"tick\" x=\"").append(f(lx)).append("\" y=\"").append(f(ly))
            .append("\" text-anchor=\"end\" transform=\"rotate(-35 ").append(f(lx)).append(' ').append(f(ly)).append(")\">")
            .append(Html.escape(Html.shorten(label, 18))).append("</text>");
      }
    }
    legend(s, new String[] {"baseline", "current"}, new String[] {BASELINE, CURRENT});
    return s.append("</svg>").toString();
  }

  /**
   * Lines, one per series, over evenly spaced x labels; NaN values leave gaps. {@code guides} are
   * dashed horizontal lines (thresholds) named by {@code guideNames}.
   */
  static String lines(String kind, List<String> xLabels, List<Report.Series> series, double[] guides, String[] guideNames,
      boolean percentAxis) {
    int height = 230;
    int bottom = 46;
    int n = xLabels.size();
    double max = 0;
    for (Report.Series r : series) {
      for (double v : r.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    for (double g : guides) {
      max = Math.max(max, g);
    }
    double top = niceCeiling(max);
    StringBuilder s = open(kind, height, "lines");
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = height - TOP - bottom;
    double base = height - bottom;
    yAxis(s, top, plotH, base, percentAxis);
    for (int g = 0; g < guides.length; g++) {
      double y = base - guides[g] / top * plotH;
      s.append("<line class=\"guide\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(f(y))
          .append("\" y2=\"").append(f(y)).append("\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
      s.append("<text class=\"tick\" x=\"").append(WIDTH - RIGHT - 2).append("\" y=\"").append(f(y - 3))
          .append("\" text-anchor=\"end\">").append(Html.escape(guideNames[g])).append("</text>");
    }
    double step = n <= 1 ? 0 : plotW / (n - 1);
    for (int k = 0; k < series.size(); k++) {
      Report.Series r = series.get(k);
      String c = colour(k);
      StringBuilder path = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < n; i++) {
        double v = r.values()[i];
        if (!Double.isFinite(v)) {
          pen = false;
          continue;
        }
        double x = n <= 1 ? LEFT + plotW / 2 : LEFT + i * step;
        double y = base - Math.min(v, top) / top * plotH;
        path.append(pen ? " L" : " M").append(f(x)).append(' ').append(f(y));
        pen = true;
      }
      s.append("<g class=\"series\" data-series=\"").append(Html.escape(r.name())).append("\">");
      if (!path.isEmpty()) {
        s.append("<path d=\"").append(path.toString().strip()).append("\" fill=\"none\" stroke=\"").append(c)
            .append("\" stroke-width=\"2\"/>");
      }
      for (int i = 0; i < n; i++) {
        double v = r.values()[i];
        if (Double.isFinite(v)) {
          double x = n <= 1 ? LEFT + plotW / 2 : LEFT + i * step;
          double y = base - Math.min(v, top) / top * plotH;
          s.append("<circle class=\"point\" cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"3\" fill=\"")
              .append(c).append("\"><title>").append(Html.escape(r.name() + " " + xLabels.get(i) + ": "
                  + (percentAxis ? percent(v) : String.format(Locale.ROOT, "%.4f", v)))).append("</title></circle>");
        }
      }
      s.append("</g>");
    }
    xLabels(s, xLabels, n <= 1 ? 0 : step, n <= 1 ? LEFT + plotW / 2 : LEFT, base + 16);
    return s.append("</svg>").toString();
  }

  /** Stacked bars: per x label, {@code counts[x][k]} of each key {@code k}, in {@code colours[k]}. */
  static String stacked(String kind, List<String> xLabels, String[] keys, String[] colours, long[][] counts) {
    int height = 230;
    int bottom = 46;
    int n = xLabels.size();
    long max = 0;
    for (long[] row : counts) {
      long t = 0;
      for (long c : row) {
        t += c;
      }
      max = Math.max(max, t);
    }
    double top = Math.max(4, Math.ceil(max / 4.0) * 4); // counts: whole ticks at quarters
    StringBuilder s = open(kind, height, "stacked");
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = height - TOP - bottom;
    double base = height - bottom;
    yAxis(s, top, plotH, base, false);
    double gw = plotW / Math.max(n, 1);
    for (int i = 0; i < n; i++) {
      double y = base;
      for (int k = 0; k < keys.length; k++) {
        long c = counts[i][k];
        if (c == 0) {
          continue;
        }
        double h = c / top * plotH;
        y -= h;
        s.append("<rect class=\"bar ").append(keys[k]).append("\" x=\"").append(f(LEFT + i * gw + gw * 0.15)).append("\" y=\"")
            .append(f(y)).append("\" width=\"").append(f(gw * 0.7)).append("\" height=\"").append(f(h)).append("\" fill=\"")
            .append(colours[k]).append("\"><title>").append(Html.escape(xLabels.get(i) + " " + keys[k] + ": " + c))
            .append("</title></rect>");
      }
    }
    xLabels(s, xLabels, gw, LEFT + gw / 2, base + 16);
    legend(s, keys, colours);
    return s.append("</svg>").toString();
  }

  /** Horizontal bars, one per label, lengths by {@code values} (≥ 0), each followed by its {@code texts}. */
  static String hbars(String kind, List<String> labels, double[] values, String[] texts, String colour) {
    int row = 24;
    int left = 170;
    int height = TOP + row * labels.size() + 10;
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    StringBuilder s = open(kind, height, "hbars");
    double plotW = WIDTH - left - 110;
    for (int i = 0; i < labels.size(); i++) {
      double y = TOP + i * row;
      double w = max <= 0 ? 0 : Math.max(values[i] / max * plotW, values[i] > 0 ? 2 : 0);
      s.append("<text class=\"label\" x=\"").append(left - 8).append("\" y=\"").append(f(y + row * 0.62))
          .append("\" text-anchor=\"end\">").append(Html.escape(Html.shorten(labels.get(i), 24))).append("</text>");
      s.append("<rect class=\"bar\" x=\"").append(left).append("\" y=\"").append(f(y + 3)).append("\" width=\"").append(f(w))
          .append("\" height=\"").append(row - 6).append("\" fill=\"").append(colour).append("\"><title>")
          .append(Html.escape(labels.get(i) + ": " + texts[i])).append("</title></rect>");
      s.append("<text class=\"value\" x=\"").append(f(left + w + 6)).append("\" y=\"").append(f(y + row * 0.62)).append("\">")
          .append(Html.escape(texts[i])).append("</text>");
    }
    return s.append("</svg>").toString();
  }

  private static StringBuilder open(String kind, int height, String shape) {
    return new StringBuilder(4096).append("<svg class=\"chart ").append(shape).append("\" data-chart=\"").append(Html.escape(kind))
        .append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" role=\"img\">");
  }

  private static void bar(StringBuilder s, String cls, String fill, double x, double w, double share, double top, double plotH,
      double base, String title) {
    double h = share / top * plotH;
    if (share > 0) {
      h = Math.max(h, 1);
    }
    s.append("<rect class=\"").append(cls).append("\" x=\"").append(f(x)).append("\" y=\"").append(f(base - h))
        .append("\" width=\"").append(f(w)).append("\" height=\"").append(f(h)).append("\" fill=\"").append(fill).append("\"><title>")
        .append(Html.escape(title)).append("</title></rect>");
  }

  private static void yAxis(StringBuilder s, double top, double plotH, double base, boolean percent) {
    for (int t = 0; t <= 4; t++) {
      double v = top * t / 4;
      double y = base - plotH * t / 4;
      s.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(f(y))
          .append("\" y2=\"").append(f(y)).append("\" stroke=\"").append(t == 0 ? "#888" : "#e3e3e3").append("\"/>");
      s.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4)).append("\" text-anchor=\"end\">")
          .append(percent ? percent(v) : Histogram.number(v)).append("</text>");
    }
  }

  private static void xLabels(StringBuilder s, List<String> labels, double step, double x0, double y) {
    int n = labels.size();
    int every = Math.max(1, (int) Math.ceil(n / 8.0));
    for (int i = 0; i < n; i++) {
      if (i % every == 0 || i == n - 1 && (n - 1) % every >= every / 2 + 1) {
        s.append("<text class=\"tick\" x=\"").append(f(x0 + i * step)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"middle\">")
            .append(Html.escape(labels.get(i))).append("</text>");
      }
    }
  }

  private static void legend(StringBuilder s, String[] names, String[] colours) {
    double x = WIDTH - RIGHT - 90.0 * names.length;
    for (int i = 0; i < names.length; i++) {
      s.append("<rect class=\"key\" x=\"").append(f(x + i * 90)).append("\" y=\"2\" width=\"10\" height=\"10\" fill=\"").append(colours[i])
          .append("\"/><text class=\"tick\" x=\"").append(f(x + i * 90 + 14)).append("\" y=\"11\">").append(Html.escape(names[i]))
          .append("</text>");
    }
  }

  /** A round number ≥ {@code v} for an axis top (1, 2, 2.5, 5 × 10^k); 1 for v ≤ 0. */
  static double niceCeiling(double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static String percent(double share) {
    double p = share * 100;
    return p == 0 ? "0%" : p >= 10 ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
