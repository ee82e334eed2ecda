package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The report of real data ({@link ReportFixture}) rendered by Debian's chromium, headless, through its
 * chromedriver: every section and chart is laid out with a visible size, the screenshot's pixels
 * inside the histogram bars have the bar colours, the title is in the DOM, the hostile category is
 * shown as text (no script element exists), and the console holds no error. Needs /usr/bin/chromium
 * and /usr/bin/chromedriver (Debian's chromium and chromium-driver; .ci/run installs them), or
 * QUIVER_CHROMIUM and QUIVER_CHROMEDRIVER: without them it fails, it does not skip.
 */
class ReportBrowserTest {
  static final String CHROMIUM = System.getenv().getOrDefault("QUIVER_CHROMIUM", "/usr/bin/chromium");
  static final String CHROMEDRIVER = System.getenv().getOrDefault("QUIVER_CHROMEDRIVER", "/usr/bin/chromedriver");
  static final List<String> SECTIONS = List.of("summary", "features", "drift-over-time", "skew", "freshness", "validation");

  @TempDir static Path tmp;
  static ChromeDriver browser;
  static Path page;
  static BufferedImage shot;

  @BeforeAll
  static void render() throws Exception {
    assertThat(Path.of(CHROMIUM)).as("chromium is needed to render the report: apt-get install chromium chromium-driver"
        + " (.ci/run does), or set QUIVER_CHROMIUM").isExecutable();
    assertThat(Path.of(CHROMEDRIVER)).as("chromedriver is needed: apt-get install chromium-driver, or set QUIVER_CHROMEDRIVER")
        .isExecutable();
    ReportFixture data = ReportFixture.shared();
    page = tmp.resolve("report.html");
    ReportFixture.run("monitor", "report", "--repo", data.repo.toString(), "--baseline", "even", "--current", data.shifted.toString(),
        "--out", page.toString(), "--title", "Payments drift <check>");

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--force-device-scale-factor=1", "--hide-scrollbars", "--user-data-dir=" + Files.createDirectories(tmp.resolve("profile")));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
        .withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1200, 900));
    browser.get(page.toUri().toString());
    long height = ((Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight")).longValue();
    browser.manage().window().setSize(new Dimension(1200, (int) height + 200));
    byte[] png = browser.getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", "report-screenshot.png");
    Files.createDirectories(target.getParent());
    Files.write(target, png); // kept for a person to look at
    shot = ImageIO.read(new ByteArrayInputStream(png));
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void theTitleAndEverySectionAreLaidOutVisibly() {
    assertThat(browser.getTitle()).isEqualTo("Payments drift <check>");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Payments drift <check>");
    for (String id : SECTIONS) {
      WebElement s = browser.findElement(By.id(id));
      assertThat(s.isDisplayed()).as(id).isTrue();
      Rectangle r = s.getRect();
      assertThat(r.getWidth()).as(id + " width").isGreaterThan(300);
      assertThat(r.getHeight()).as(id + " height").isGreaterThan(40);
      assertThat(r.getY() + r.getHeight()).as(id + " inside the screenshot").isLessThanOrEqualTo(shot.getHeight());
    }
    assertThat(browser.findElement(By.cssSelector("#summary .verdict")).getText())
        .isEqualTo("DRIFT in 2 of 3 features: last_amount, risk_segment.");
    // the charts: a histogram per compared feature, PSI over time, freshness, validation
    List<WebElement> charts = browser.findElements(By.cssSelector("svg.chart"));
    assertThat(charts.stream().map(c -> c.getDomAttribute("data-chart")).toList())
        .containsExactly("histogram", "histogram", "histogram", "psi-over-time", "freshness", "validation");
    for (WebElement c : charts) {
      Rectangle r = c.getRect();
      assertThat(r.getWidth()).as(c.getDomAttribute("data-chart")).isEqualTo(640);
      assertThat(r.getHeight()).as(c.getDomAttribute("data-chart")).isGreaterThan(50);
    }
  }

  @Test
  void histogramBarsArePaintedInTheirColours() {
    int checked = 0;
    for (String side : List.of("baseline", "current")) {
      int colour = side.equals("baseline") ? 0x4c78a8 : 0xf58518;
      for (WebElement bar : browser.findElements(By.cssSelector("article.feature svg.chart rect.bar." + side))) {
        Rectangle r = bar.getRect();
        if (r.getHeight() < 6 || r.getWidth() < 4) {
          continue;
        }
        int rgb = shot.getRGB(r.getX() + r.getWidth() / 2, r.getY() + r.getHeight() / 2) & 0xffffff;
        assertThat(distance(rgb, colour)).as(side + " bar at " + r.getX() + "," + r.getY() + ": #" + Integer.toHexString(rgb))
            .isLessThan(12);
        checked++;
      }
    }
    assertThat(checked).as("bars tall enough to sample").isGreaterThan(10);
    // between the bars, above them: the page's white background, not a bar colour
    Rectangle chart = browser.findElement(By.cssSelector("article.feature[data-feature='last_amount'] svg.chart")).getRect();
    int blank = shot.getRGB(chart.getX() + chart.getWidth() - 20, chart.getY() + 30) & 0xffffff;
    assertThat(distance(blank, 0xffffff)).as("the chart's empty corner: #" + Integer.toHexString(blank)).isLessThan(12);
    // PSI over time: one point per bucket with values, painted
    List<WebElement> points = browser.findElements(By.cssSelector("svg[data-chart='psi-over-time'] circle.point"));
    assertThat(points).hasSizeGreaterThan(20);
  }

  @Test
  void theHostileCategoryIsTextAndTheConsoleIsClean() {
    assertThat(((Number) ((JavascriptExecutor) browser).executeScript("return document.scripts.length")).intValue()).isZero();
    assertThat(browser.findElement(By.id("summary")).getText()).contains("new categories: " + ReportFixture.HOSTILE);
    WebElement segment = browser.findElement(By.cssSelector("article.feature[data-feature='risk_segment']"));
    assertThat(segment.findElements(By.cssSelector("rect.bar.current")).stream()
        .map(r -> r.findElement(By.tagName("title")).getDomProperty("textContent")).toList())
        .anyMatch(t -> t.startsWith("current __other__: "));
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    assertThat(errors).as("console").isEmpty();
  }

  private static int distance(int a, int b) {
    return Math.max(Math.abs((a >> 16 & 0xff) - (b >> 16 & 0xff)),
        Math.max(Math.abs((a >> 8 & 0xff) - (b >> 8 & 0xff)), Math.abs((a & 0xff) - (b & 0xff))));
  }

}
