package tlslab.annotate.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import tlslab.bench.HeadlessChromium;

/**
 * One headless Chromium for every browser test in this JVM (started on first use, closed when the
 * JVM exits): each page opens in its own tab, so the tests pay for the browser's start once.
 */
public final class SharedBrowser {
  private static HeadlessChromium browser;

  private SharedBrowser() {}

  /** What a page showed after its scripts ran. */
  public record Page(
      String dom, List<String> console, List<String> requests, Evaluator eval, Keyboard keys) {}

  /** Presses keys in the loaded page (while its tab is open), as the keyboard would. */
  public interface Keyboard {
    void press(String key);
  }

  /** Evaluates an expression in the loaded page (while its tab is open). */
  public interface Evaluator {
    JsonElement eval(String expression);
  }

  private static synchronized HeadlessChromium browser() {
    if (browser == null) {
      browser = HeadlessChromium.start();
      HeadlessChromium b = browser;
      Runtime.getRuntime().addShutdownHook(new Thread(b::close, "chromium-close"));
    }
    return browser;
  }

  /**
   * Loads {@code page} (with {@code fragment}) in a new tab, waits until its script set {@code
   * data-ready}, keeps a screenshot, runs {@code then} against the open tab, and returns the DOM,
   * console and requests.
   */
  public static Page load(Path page, String fragment, Path screenshot, Checks then) {
    return load(
        page, fragment, screenshot, then, "document.body && document.body.dataset.ready === '1'");
  }

  /** As {@link #load(Path, String, Path, Checks)}, waiting until {@code ready} is true. */
  public static Page load(Path page, String fragment, Path screenshot, Checks then, String ready) {
    try (HeadlessChromium.Tab t = browser().open()) {
      t.load(page.toUri() + fragment);
      t.waitFor(ready);
      String dom = t.dom();
      t.screenshot(screenshot);
      Page p = new Page(dom, t.console(), t.requests(), t::eval, t::key);
      if (then != null) then.check(p);
      assertThat(t.console()).as("console of %s", page).isEmpty();
      assertThat(t.requests()).as("requests made by %s", page).isEmpty();
      return new Page(dom, t.console(), t.requests(), detached(t), k -> detached(t).eval(k));
    }
  }

  /**
   * As {@link #load(Path, String, Path, Checks)} for a page a test attacks on purpose: the console
   * and requests are returned (as they stood after {@code then}) instead of asserted empty.
   */
  public static Page attack(Path page, Checks then) {
    return attack(page, "document.body && document.body.dataset.ready === '1'", then);
  }

  /** As {@link #attack(Path, Checks)}, waiting until {@code ready} is true. */
  public static Page attack(Path page, String ready, Checks then) {
    try (HeadlessChromium.Tab t = browser().open()) {
      t.load(page.toUri().toString());
      t.waitFor(ready);
      Page p = new Page(t.dom(), t.console(), t.requests(), t::eval, t::key);
      if (then != null) then.check(p);
      return new Page(t.dom(), t.console(), t.requests(), detached(t), k -> detached(t).eval(k));
    }
  }

  /** An evaluator for a page's values read before its tab closed: later calls fail loudly. */
  private static Evaluator detached(HeadlessChromium.Tab t) {
    return e -> {
      throw new AssertionError("the tab of this page is closed; evaluate inside the checks");
    };
  }

  /** Checks run while the page's tab is still open. */
  public interface Checks {
    void check(Page p) throws AssertionError;
  }

  /** {@code expression}'s value, a JSON string made in the page, parsed. */
  public static JsonElement json(Page p, String expression) {
    JsonElement v = p.eval().eval("JSON.stringify(" + expression + ")");
    assertThat(v).as("value of %s", expression).isNotNull();
    return JsonParser.parseString(v.getAsString());
  }
}
