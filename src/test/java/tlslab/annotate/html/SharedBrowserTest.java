package tlslab.annotate.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser tests' own judge can fail: a page that logs an error and fetches an image is caught
 * by the console and request checks, so a silent console on the lab's pages means something.
 */
class SharedBrowserTest {
  @TempDir Path dir;

  @Test
  void consoleErrorsAndRequestsAreSeen() throws Exception {
    Path page = dir.resolve("noisy.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\">"
            + "<script>console.error('boom'); document.body.dataset.ready = '1';</script>"
            + "</body></html>");
    assertThatThrownBy(
            () -> SharedBrowser.load(page, "", Path.of("target", "html-pages", "noisy.png"), null))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("boom");
    SharedBrowser.Page[] seen = new SharedBrowser.Page[1];
    try {
      SharedBrowser.load(page, "", Path.of("target", "html-pages", "noisy.png"), p -> seen[0] = p);
    } catch (AssertionError expected) {
      // The console check fails first; the requests were recorded before it.
    }
    assertThat(seen[0].console()).anySatisfy(l -> assertThat(l).contains("boom"));
    assertThat(seen[0].requests()).contains("http://127.0.0.1:9/x.png");
  }
}
