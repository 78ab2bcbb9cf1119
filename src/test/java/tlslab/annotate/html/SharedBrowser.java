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
      String dom,
      List<String> console,
      List<String> requests,
      Evaluator eval,
      Keyboard keys,
      Media media) {}

  /** Emulates a CSS media feature in the loaded page (while its tab is open). */
  public interface Media {
    void emulate(String feature, String value);
  }

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
   * data-ready}, keeps a screenshot (unless {@code screenshot} is null), runs {@code then} against
   * the open tab, and returns the DOM, console and requests.
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
      if (screenshot != null) t.screenshot(screenshot);
      Page p = new Page(dom, t.console(), t.requests(), t::eval, t::key, t::emulateMedia);
      if (then != null) then.check(p);
      assertThat(t.console()).as("console of %s", page).isEmpty();
      assertThat(t.requests()).as("requests made by %s", page).isEmpty();
      return new Page(
          dom,
          t.console(),
          t.requests(),
          detached(t),
          k -> detached(t).eval(k),
          (f, v) -> detached(t).eval(f));
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
      Page p = new Page(t.dom(), t.console(), t.requests(), t::eval, t::key, t::emulateMedia);
      if (then != null) then.check(p);
      return new Page(
          t.dom(),
          t.console(),
          t.requests(),
          detached(t),
          k -> detached(t).eval(k),
          (f, v) -> detached(t).eval(f));
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

  /**
   * What a projector would lose, as a JSON array of strings (empty: nothing): every element the
   * page shows text in whose font is under {@code minPx}, or whose text contrasts with its
   * background (semi-transparent layers composited, up to the page's own) by less than WCAG 2's
   * 4.5:1 for body text. Pseudo-element text ({@code ::before}) is checked as its element's.
   */
  public static String unreadable(int minPx) {
    return "(() => { const out = [];"
        + " const rgba = c => { if (c.startsWith('color(srgb')) { const v = c.slice(11)"
        + "   .replace(')', '').split(/[ /]+/).map(Number);"
        + "   return [v[0] * 255, v[1] * 255, v[2] * 255, v.length > 3 ? v[3] : 1]; }"
        + "   const v = (c.match(/[\\d.]+/g) || ['0', '0', '0', '0']).map(Number);"
        + "   return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };"
        + " const over = (top, under) => top.slice(0, 3).map((x, i) =>"
        + "   x * top[3] + under[i] * (1 - top[3])).concat([1]);"
        + " const back = e => { const layers = [];"
        + "   for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);"
        + "     if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }"
        + "   let b = [255, 255, 255, 1];"
        + "   if (!layers.length || layers[layers.length - 1][3] < 1) b ="
        + "     rgba(getComputedStyle(document.documentElement).backgroundColor)[3] > 0 ?"
        + "     rgba(getComputedStyle(document.documentElement).backgroundColor) : b;"
        + "   for (let i = layers.length - 1; i >= 0; i--) b = over(layers[i], b); return b; };"
        + " const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 :"
        + "   Math.pow((v + 0.055) / 1.055, 2.4); };"
        + "   return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };"
        + " const ratio = (a, b) => { const x = lum(a), y = lum(b);"
        + "   return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };"
        + " for (const e of document.body.querySelectorAll('*')) {"
        + "   if (e.closest('script, style, .dump .b:not([data-o]), .dump .a:not([data-o])')) continue;"
        + "   const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());"
        + "   const pseudo = getComputedStyle(e, '::before').content;"
        + "   const hasPseudo = pseudo && pseudo !== 'none' && pseudo !== 'normal' && pseudo !== '\"\"';"
        + "   if (!own && !hasPseudo) continue;"
        + "   const r = e.getBoundingClientRect(); if (!r.width || !r.height) { if (!hasPseudo) continue; }"
        + "   const st = getComputedStyle(own ? e : e, own ? null : '::before');"
        + "   const px = parseFloat(st.fontSize);"
        + "   const name = e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined"
        + "     ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '')"
        + "     + ' \"' + (e.textContent || '').trim().slice(0, 30) + '\"';"
        + "   if (px < "
        + minPx
        + ") out.push(name + ': font ' + px + 'px');"
        + "   const fg = rgba(st.color), bg = back(e);"
        + "   const k = ratio(over(fg, bg), bg);"
        + "   if (k < 4.5) out.push(name + ': contrast ' + k.toFixed(2) + ' (' + st.color + ' on rgb('"
        + "     + bg.slice(0, 3).map(Math.round).join(', ') + '))');"
        + " } return [...new Set(out)].slice(0, 40); })()";
  }

  /** {@code expression}'s value, a JSON string made in the page, parsed. */
  public static JsonElement json(Page p, String expression) {
    JsonElement v = p.eval().eval("JSON.stringify(" + expression + ")");
    assertThat(v).as("value of %s", expression).isNotNull();
    return JsonParser.parseString(v.getAsString());
  }
}
