package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import tlslab.trace.internal.LabLoggerFinder;

/**
 * The lab's System.LoggerFinder: JSSE's logger is quiet unless traced; the others are untouched.
 */
class LoggerFinderTest {
  @Test
  void isTheProcessFinder() {
    assertThat(System.LoggerFinder.getLoggerFinder()).isInstanceOf(LabLoggerFinder.class);
  }

  @Test
  void otherLoggersBehaveLikeTheDefaultJavaUtilLogging() {
    String name = "tlslab.test.other";
    List<LogRecord> seen = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            seen.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger jul = Logger.getLogger(name);
    jul.addHandler(h);
    try {
      System.Logger logger = System.getLogger(name);
      assertThat(logger.isLoggable(Level.INFO)).isTrue();
      assertThat(logger.isLoggable(Level.DEBUG)).isFalse(); // JUL's default level is INFO
      logger.log(Level.WARNING, "disk {0} full", "sda");
      logger.log(Level.DEBUG, "not shown");
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).getMessage()).isEqualTo("disk sda full");
      assertThat(seen.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
      assertThat(seen.get(0).getSourceClassName()).isEqualTo(LoggerFinderTest.class.getName());
    } finally {
      jul.removeHandler(h);
    }
  }

  @Test
  void jsseLoggerIsNotLoggableWhenNothingIsTraced() {
    System.Logger jsse = System.getLogger(LabLoggerFinder.JSSE_LOGGER);
    assertThat(jsse.isLoggable(Level.DEBUG)).isFalse();
    assertThat(jsse.isLoggable(Level.ERROR)).isFalse();
  }
}
