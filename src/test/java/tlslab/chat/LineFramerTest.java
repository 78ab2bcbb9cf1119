package tlslab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
  private final List<String> lines = new ArrayList<>();

  private LineFramer.Result feed(LineFramer f, String s) {
    return f.feed(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), lines::add);
  }

  @Test
  void splitsOnNewlineAcceptsCrlfAndKeepsPartialLines() {
    LineFramer f = new LineFramer(100);
    assertThat(feed(f, "one\ntwo\r\nthr")).isEqualTo(LineFramer.Result.OK);
    assertThat(lines).containsExactly("one", "two");
    assertThat(f.buffered()).isEqualTo(3);
    feed(f, "ee\n\n");
    assertThat(lines).containsExactly("one", "two", "three", "");
    assertThat(f.buffered()).isZero();
  }

  @Test
  void byteByByteUtf8() {
    LineFramer f = new LineFramer(100);
    for (byte b : "grüße, 世界\n".getBytes(StandardCharsets.UTF_8)) {
      f.feed(ByteBuffer.wrap(new byte[] {b}), lines::add);
    }
    assertThat(lines).containsExactly("grüße, 世界");
  }

  @Test
  void lineOfExactlyTheMaximumPassesOneMoreByteFails() {
    LineFramer f = new LineFramer(10);
    assertThat(feed(f, "0123456789\r\n")).isEqualTo(LineFramer.Result.OK);
    assertThat(feed(f, "01234567890\n")).isEqualTo(LineFramer.Result.TOO_LONG);
    assertThat(lines).containsExactly("0123456789");
  }

  @Test
  void tooLongIsDetectedBeforeTheNewlineAndPoisonsTheFramer() {
    LineFramer f = new LineFramer(1024);
    ByteBuffer mib = ByteBuffer.allocate(1 << 20);
    assertThat(f.feed(mib, lines::add)).isEqualTo(LineFramer.Result.TOO_LONG);
    assertThat(f.buffered()).as("nothing kept").isZero();
    assertThat(feed(f, "ok\n")).isEqualTo(LineFramer.Result.TOO_LONG);
    assertThat(lines).isEmpty();
  }

  @Test
  void invalidUtf8BecomesReplacementCharacters() {
    LineFramer f = new LineFramer(100);
    f.feed(ByteBuffer.wrap(new byte[] {'a', (byte) 0xff, 'b', '\n'}), lines::add);
    assertThat(lines).containsExactly("a\uFFFDb");
  }
}
