package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.Checkers;

/** Every exercise has a checker, and no checker throws on missing or nonsensical evidence. */
class CheckersTest {
  @TempDir Path tmp;

  @Test
  void everyExerciseOfTheCatalogHasAChecker() {
    Catalog catalog =
        Catalog.load(Path.of(System.getProperty("lab.home", ".")).resolve("exercises"));
    assertThat(catalog.all()).hasSize(11);
    for (Exercise e : catalog.all()) {
      assertThat(Checkers.forExercise(e.number())).as("exercise %d", e.number()).isPresent();
    }
  }

  @Test
  void anEmptyWorkFolderFailsEveryExerciseWithHints() {
    for (int n = 1; n <= 11; n++) {
      Report r = Checkers.forExercise(n).orElseThrow().check(new Workspace(tmp, Optional.empty()));
      assertThat(r.passed()).as("exercise %d", n).isFalse();
      assertThat(r.items())
          .filteredOn(i -> !i.ok())
          .allSatisfy(i -> assertThat(i.hint()).isNotBlank());
    }
  }

  @Test
  void garbageInEveryEvidenceFileIsAFailedItemNotAnException() throws IOException {
    for (String f :
        new String[] {
          "certs/ca.pem",
          "certs/server.pem",
          "certs/server.key",
          "certs/client-x.pem",
          "captures/02.pcap",
          "captures/02.keylog",
          "captures/04-report.pcap",
          "captures/04-modern.pcap",
          "captures/08.pcap",
          "captures/09.pcap",
          "captures/09.keylog",
          "captures/11-good.pcap",
          "captures/11-revoked.pcap",
          "certs/crl.pem",
          "traces/06.jsonl",
          "traces/07.jsonl",
          "evil/server.pem",
          "bundle/x.pem",
          "bundle/challenge.txt",
          "answers/03.txt",
          "answers/08-refused.txt"
        }) {
      Path p = tmp.resolve(f);
      Files.createDirectories(p.getParent());
      Files.write(p, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 0, '{', '"'});
    }
    for (int n = 1; n <= 11; n++) {
      for (Optional<String> student :
          java.util.List.of(Optional.<String>empty(), Optional.of("x"))) {
        Report r = Checkers.forExercise(n).orElseThrow().check(new Workspace(tmp, student));
        assertThat(r.passed()).as("exercise %d", n).isFalse();
        assertThat(r.items())
            .as("exercise %d", n)
            .noneMatch(i -> i.requirement().equals("your evidence can be checked"));
      }
    }
  }

  @Test
  void anUnforeseenErrorBecomesAFailedItem() {
    // A workspace without a folder makes every checker fail inside; the guard reports it.
    Report r = Checkers.forExercise(2).orElseThrow().check(new Workspace(null, Optional.empty()));
    assertThat(r.passed()).isFalse();
    assertThat(r.items())
        .singleElement()
        .satisfies(i -> assertThat(i.hint()).contains("NullPointerException", "instructor"));
  }
}
