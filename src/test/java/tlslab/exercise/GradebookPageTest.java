package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.annotate.html.SharedBrowser;
import tlslab.cli.ExitCode;
import tlslab.cli.Main;
import tlslab.exercise.checks.GradebookPage;
import tlslab.exercise.checks.Grading;

/**
 * The HTML gradebook in headless Chromium holds exactly the CSV's cells, row by row, even when a
 * student's name, hint or answer is markup or a spreadsheet formula; the page runs no script and
 * loads nothing; {@code lab class grade} refuses to overwrite it as it refuses the CSV.
 */
class GradebookPageTest {
  @TempDir Path dir;

  private static final List<Exercise> EXERCISES =
      List.of(
          new Exercise(1, "first-chat", "First chat", Path.of("exercises/01.md")),
          new Exercise(2, "certificates", "Certificates <and> keys", Path.of("exercises/02.md")),
          new Exercise(10, "framing", "Framing", Path.of("exercises/10.md")));

  private static List<Grading.Graded> rows() {
    Map<Integer, Grading.Outcome> a = new LinkedHashMap<>();
    a.put(1, new Grading.Outcome(Grading.Status.PASSED, "", Map.of()));
    a.put(
        2,
        new Grading.Outcome(
            Grading.Status.FAILED, "the chain does not end at the lab CA", Map.of()));
    a.put(10, new Grading.Outcome(Grading.Status.PASSED, "", Map.of("why", "lines, \"framed\"")));
    Map<Integer, Grading.Outcome> b = new LinkedHashMap<>();
    b.put(1, new Grading.Outcome(Grading.Status.MISSING, "no trace.jsonl", Map.of()));
    b.put(2, new Grading.Outcome(Grading.Status.PASSED, "", Map.of()));
    b.put(
        10,
        new Grading.Outcome(Grading.Status.FAILED, "<b>bold</b> & =cmd()", Map.of("why", "=1+1")));
    return List.of(
        new Grading.Graded("alice.zip", "s001", "Zoë Ångström", a, List.of()),
        new Grading.Graded("eve.zip", "s003", "Eve\u202Enimda", a, List.of()),
        new Grading.Graded(
            "=HYPERLINK(\"http://x\").zip",
            "s002",
            "<script>document.title='pwned'</script>",
            b,
            List.of("same client key as s001", "copied trace")));
  }

  @Test
  void pageHoldsTheCsvCellsAndRunsNothing() throws Exception {
    List<Grading.Graded> rows = rows();
    List<Map<String, String>> csv = ClassGradeTest.csv(Grading.csv(rows, EXERCISES));
    Path page = dir.resolve("gradebook.html");
    Files.writeString(page, GradebookPage.html(rows, EXERCISES), StandardCharsets.UTF_8);
    String html = Files.readString(page);
    assertThat(html).doesNotContain("<script").contains("default-src 'none'");
    // The page has no script to set data-ready: it is ready once loaded.
    JsonArray[] trs = new JsonArray[1];
    SharedBrowser.Page p =
        SharedBrowser.load(
            page,
            "",
            Path.of("target", "html-pages", "gradebook.png"),
            t ->
                trs[0] =
                    SharedBrowser.json(
                            t,
                            "[...document.querySelectorAll('tbody tr')].map(tr =>"
                                + " Object.fromEntries([...tr.querySelectorAll('[data-col]')]"
                                + ".map(e => [e.dataset.col, e.textContent])))")
                        .getAsJsonArray(),
            "document.readyState === 'complete'");
    assertThat(p.dom()).doesNotContain("pwned</title>").doesNotContain("<script>document");
    assertThat(trs[0]).hasSize(csv.size());
    for (int i = 0; i < csv.size(); i++) {
      Map<String, String> want = new LinkedHashMap<>();
      // The CSV defuses a leading = or + for spreadsheets with a quote; the page shows the text.
      csv.get(i).forEach((k, v) -> want.put(k, v.matches("'[=+].*") ? v.substring(1) : v));
      Map<String, String> got = new LinkedHashMap<>();
      trs[0]
          .get(i)
          .getAsJsonObject()
          .entrySet()
          .forEach(e -> got.put(e.getKey(), e.getValue().getAsString()));
      assertThat(got).as("row %d of the page against the CSV", i + 1).isEqualTo(want);
    }
    assertThat(csv.get(2).get("name")).isEqualTo("<script>document.title='pwned'</script>");
    // A right-to-left override would draw "Eve" + "nimda" backwards, as "Eveadmin": it shows as
    // itself, in the page (compared with the CSV above) and the CSV.
    assertThat(csv.get(1).get("name")).isEqualTo("Eve[U+202E]nimda");
    assertThat(html).doesNotContain("\u202E");
  }

  /**
   * Should a student's string ever reach the markup, the page's policy still refuses it: a script
   * element added to the loaded gradebook does not run, and a style attribute does not apply (the
   * page's own style element is allowed by its hash, nothing else).
   */
  @Test
  void policyRefusesInjectedScriptAndStyle() throws Exception {
    Path page = dir.resolve("gradebook.html");
    Files.writeString(page, GradebookPage.html(rows(), EXERCISES), StandardCharsets.UTF_8);
    String[] got = new String[2];
    SharedBrowser.attack(
        page,
        "document.readyState === 'complete'",
        t -> {
          got[0] =
              t.eval()
                  .eval(
                      "(() => { const s = document.createElement('script');"
                          + " s.textContent = 'window.pwned = 1';"
                          + " document.body.appendChild(s); return typeof window.pwned; })()")
                  .getAsString();
          got[1] =
              t.eval()
                  .eval(
                      "(() => { const p = document.createElement('p');"
                          + " p.setAttribute('style', 'color: rgb(1, 2, 3)');"
                          + " document.body.appendChild(p); return getComputedStyle(p).color; })()")
                  .getAsString();
        });
    assertThat(got[0]).as("typeof pwned after adding a script").isEqualTo("undefined");
    assertThat(got[1]).as("colour of an injected style attribute").isNotEqualTo("rgb(1, 2, 3)");
    // The page's own style still applies (its hash is right), and is readable when projected:
    // no text under 13 px, every text 4.5:1 against its background, light and dark.
    SharedBrowser.load(
        page,
        "",
        Path.of("target", "html-pages", "gradebook-style.png"),
        t -> {
          assertThat(
                  t.eval()
                      .eval("getComputedStyle(document.querySelector('thead th')).position")
                      .getAsString())
              .as("the page's own style applies")
              .isEqualTo("sticky");
          for (String scheme : List.of("light", "dark")) {
            t.media().emulate("prefers-color-scheme", scheme);
            assertThat(SharedBrowser.json(t, SharedBrowser.unreadable(13)).getAsJsonArray())
                .as("text a projector loses, %s scheme", scheme)
                .isEmpty();
          }
        },
        "document.readyState === 'complete'");
  }

  @Test
  void gradeRefusesToOverwriteTheHtmlGradebook() throws Exception {
    Path csv = dir.resolve("grades.csv");
    Path html = dir.resolve("grades.html");
    Files.writeString(html, "mine");
    CommandLine cmd = Main.commandLine();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(new StringWriter()));
    cmd.setErr(new PrintWriter(err));
    int exit =
        cmd.execute(
            "class",
            "grade",
            "--class",
            dir.resolve("no-class").toString(),
            "--submissions",
            dir.toString(),
            "--out",
            csv.toString());
    assertThat(exit).isEqualTo(ExitCode.REFUSED);
    assertThat(err.toString()).contains(html + " exists");
    assertThat(Files.readString(html)).isEqualTo("mine");
    assertThat(csv).doesNotExist();
  }
}
