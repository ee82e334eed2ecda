package dev.quiver.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.load.DefinitionLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code monitoring: {skew: {...}}} in quiver.yaml: defaults, every setting, and mistakes named. */
class SkewScheduleTest {
  @TempDir Path tmp;

  @Test
  void defaultsAndSettings() {
    SkewSchedule d = SkewSchedule.of(Map.of());
    assertThat(d).isEqualTo(new SkewSchedule(Duration.ofHours(1), Duration.ofHours(1), List.of(), "feature_logs",
        SkewRequest.DEFAULT_SAMPLE));
    SkewSchedule s = SkewSchedule.of(Map.of("every", "15m", "services", "fraud, risk", "logs", "/var/logs", "sample", "500"));
    assertThat(s).isEqualTo(new SkewSchedule(Duration.ofMinutes(15), Duration.ofMinutes(15), List.of("fraud", "risk"),
        "/var/logs", 500));
    assertThat(SkewSchedule.of(Map.of("every", "1h", "lookback", "2h")).lookback()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void readFromQuiverYamlWithMistakesNamed() throws Exception {
    Files.writeString(tmp.resolve("quiver.yaml"), "project: p\nmonitoring: {skew: {every: 30m, lookback: 2h}}\n");
    var config = new DefinitionLoader().loadConfig(tmp);
    assertThat(SkewSchedule.of((Map<?, ?>) config.monitoring().get("skew")).every()).isEqualTo(Duration.ofMinutes(30));

    Files.writeString(tmp.resolve("quiver.yaml"), "project: p\nmonitoring:\n  skew: {every: soon, sample: 0}\n");
    assertThatThrownBy(() -> new DefinitionLoader().loadConfig(tmp)).isInstanceOf(DefinitionException.class)
        .hasMessageContaining("quiver.yaml:2").hasMessageContaining("every 'soon' is not a duration; write it as 90s");
    Files.writeString(tmp.resolve("quiver.yaml"), "project: p\nmonitoring: {skew: {evry: 1h}}\n");
    assertThatThrownBy(() -> new DefinitionLoader().loadConfig(tmp)).hasMessageContaining("unknown setting 'evry'");
    Files.writeString(tmp.resolve("quiver.yaml"), "project: p\nmonitoring: {drift: {every: 1h}}\n");
    assertThatThrownBy(() -> new DefinitionLoader().loadConfig(tmp)).hasMessageContaining("monitoring has no check 'drift'");
    Files.writeString(tmp.resolve("quiver.yaml"), "project: p\nmonitoring: {skew: {every: 1h, sample: 0}}\n");
    assertThatThrownBy(() -> new DefinitionLoader().loadConfig(tmp)).hasMessageContaining("sample must be at least 1");
  }
}
