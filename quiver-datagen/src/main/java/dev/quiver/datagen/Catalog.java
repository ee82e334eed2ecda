package dev.quiver.datagen;

import java.util.SplittableRandom;

/**
 * The fixed vocabulary of the payments world: countries, currencies, merchant categories, channels
 * and risk segments, with the weights and parameters the generator draws from. Codes are array
 * indices, so rows carry bytes until they are written out.
 */
final class Catalog {

  private Catalog() {}

  // ---- countries: where users live, where merchants are, where transactions happen

  static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "ES", "NL", "CA", "BR", "IN", "JP"};
  private static final double[] COUNTRY_WEIGHTS = {.34, .12, .10, .08, .05, .04, .06, .07, .08, .06};
  /** The currency of each country, as an index into {@link #CURRENCIES}. */
  static final byte[] COUNTRY_CURRENCY = {0, 2, 1, 1, 1, 1, 3, 4, 5, 6};
  private static final double[] COUNTRY_CDF = cdf(COUNTRY_WEIGHTS);
  static final byte US = 0;

  // ---- currencies

  static final String[] CURRENCIES = {"USD", "EUR", "GBP", "CAD", "BRL", "INR", "JPY"};
  static final byte USD = 0;
  /** Units of the currency per US dollar (rough, fixed rates). */
  static final double[] PER_USD = {1.0, 0.92, 0.79, 1.36, 5.0, 83.0, 150.0};
  /** The note size ATM withdrawals are rounded to, in the currency's units. */
  static final double[] ATM_STEP = {20, 10, 10, 20, 50, 500, 1000};
  /** The currency's minor-unit scale: 100 for cents, 1 for JPY. */
  static final double[] MINOR_UNITS = {100, 100, 100, 100, 100, 100, 1};

  // ---- channels

  static final String[] CHANNELS = {"online", "pos", "atm"};
  static final byte ONLINE = 0;
  static final byte POS = 1;
  static final byte ATM = 2;

  // ---- merchant categories

  static final String[] CATEGORIES = {
    "grocery", "restaurants", "fuel", "fashion", "electronics",
    "travel", "digital_goods", "gambling", "utilities", "cash_withdrawal"
  };
  private static final double[] CATEGORY_WEIGHTS = {.20, .18, .08, .11, .07, .05, .12, .03, .06, .10};
  private static final double[] CATEGORY_CDF = cdf(CATEGORY_WEIGHTS);
  /** Median purchase in USD: the log-normal amount's scale. */
  static final double[] CATEGORY_MEDIAN_USD = {45, 32, 48, 75, 220, 380, 14, 90, 110, 120};
  /** The log-normal amount's sigma: how much amounts spread around the median. */
  static final double[] CATEGORY_SIGMA = {.60, .55, .35, .75, .90, .85, .90, 1.2, .45, .60};
  /** Share of online purchases per category; the rest is point of sale, or ATM for cash. */
  static final double[] CATEGORY_ONLINE_SHARE = {.15, .25, .02, .55, .60, .85, 1.0, 1.0, .90, 0.0};
  /** Mean of the logit of a merchant's risk score, per category. */
  static final double[] CATEGORY_RISK_LOGIT = {-2.5, -2.3, -2.2, -1.8, -1.2, -1.3, -0.8, -0.3, -2.8, -2.0};
  static final byte DIGITAL_GOODS = 6;
  static final byte CASH_WITHDRAWAL = 9;

  // ---- user risk segments

  static final String[] SEGMENTS = {"low", "medium", "high"};
  private static final double[] SEGMENT_CDF = cdf(new double[] {.70, .22, .08});
  /** Median credit limit in USD per segment. */
  static final double[] SEGMENT_CREDIT_LIMIT = {8000, 4000, 1500};
  /** Added to a transaction's fraud logit per segment. */
  static final double[] SEGMENT_FRAUD_LOGIT = {0.0, 0.6, 1.4};

  static byte country(SplittableRandom random) {
    return pick(COUNTRY_CDF, random.nextDouble());
  }

  static byte category(SplittableRandom random) {
    return pick(CATEGORY_CDF, random.nextDouble());
  }

  static byte segment(SplittableRandom random) {
    return pick(SEGMENT_CDF, random.nextDouble());
  }

  static byte channel(byte category, SplittableRandom random) {
    if (category == CASH_WITHDRAWAL) {
      return ATM;
    }
    return random.nextDouble() < CATEGORY_ONLINE_SHARE[category] ? ONLINE : POS;
  }

  private static byte pick(double[] cdf, double u) {
    for (int i = 0; i < cdf.length - 1; i++) {
      if (u < cdf[i]) {
        return (byte) i;
      }
    }
    return (byte) (cdf.length - 1);
  }

  private static double[] cdf(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double[] cdf = new double[weights.length];
    double running = 0;
    for (int i = 0; i < weights.length; i++) {
      running += weights[i];
      cdf[i] = running / total;
    }
    return cdf;
  }

  /** A DuckDB list literal of the names, for mapping codes back to strings in SQL. */
  static String sqlList(String[] names) {
    StringBuilder sql = new StringBuilder("[");
    for (int i = 0; i < names.length; i++) {
      sql.append(i == 0 ? "'" : ", '").append(names[i].replace("'", "''")).append('\'');
    }
    return sql.append(']').toString();
  }
}
