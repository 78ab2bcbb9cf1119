package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;

/** The mitm log: 0600, never overwritten silently, read back field for field, garbage refused. */
class MitmLogTest {
  @TempDir Path dir;

  @Test
  void writtenEntriesReadBackAndReachTheTerminal() throws Exception {
    Path f = dir.resolve("sub/log.jsonl");
    List<String> terminal = new ArrayList<>();
    try (MitmLog log = MitmLog.open(f, false, e -> terminal.add(LogFormatter.format(e)))) {
      log.entry("line", 3).put("from", "victim").put("text", "tab\there \"quoted\" é").write();
      log.entry("edit", 3)
          .put("changed", true)
          .put("before", List.of("a", "b"))
          .put("length", 7)
          .write();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    MitmLog.Read read = MitmLog.read(f);
    assertThat(read.problem()).isNull();
    assertThat(read.entries()).hasSize(2);
    MitmLog.Entry line = read.entries().get(0);
    assertThat(line.connection()).isEqualTo(3);
    assertThat(line.string("text")).contains("tab\there \"quoted\" é");
    assertThat(read.entries().get(1).flag("changed")).isTrue();
    assertThat(read.entries().get(1).list("before")).containsExactly("a", "b");
    assertThat(read.entries().get(1).number("length")).isEqualTo(7);
    assertThat(terminal.get(0)).endsWith("#3 victim → server  tab\there \"quoted\" é");
  }

  @Test
  void anExistingLogIsNotOverwrittenWithoutForce() throws Exception {
    Path f = dir.resolve("log.jsonl");
    Files.writeString(f, "keep me\n");
    assertThatThrownBy(() -> MitmLog.open(f, false, e -> {}))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("--force")
        .extracting(e -> ((LabException) e).kind())
        .isEqualTo(LabException.Kind.REFUSED);
    assertThat(Files.readString(f)).isEqualTo("keep me\n");
    MitmLog.open(f, true, e -> {}).close();
    assertThat(Files.readString(f)).isEmpty();
  }

  @Test
  void whatIsNotALogSaysWhichLine() throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"time\":\"x\",\"connection\":1,\"kind\":\"line\"}\nnot json at all\n");
    assertThat(MitmLog.read(f).problem()).contains("line 2", "not JSON");
    Files.writeString(f, "{\"kind\":\"line\"}\n");
    assertThat(MitmLog.read(f).problem()).contains("line 1", "not a lab mitm log entry");
    Files.writeString(f, "\n");
    assertThat(MitmLog.read(f).problem()).contains("is empty");
    assertThat(MitmLog.read(dir.resolve("none")).problem()).contains("does not exist");
    Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    assertThat(MitmLog.read(f).problem()).isNotNull();
  }
}
