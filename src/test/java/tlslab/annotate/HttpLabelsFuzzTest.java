package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decrypted application data that is broken in every way a file can break it (a record cut short,
 * flipped bytes, HTTP/2 frame lengths and HPACK blocks that lie, Content-Length and chunk sizes
 * that lie), fed record by record through what the annotator runs on each decrypted record ({@link
 * Payloads} then {@link HttpLabels}): no exception, and every record leaves an Info label.
 * Ciphertext cannot be fuzzed into this (the AEAD tag rejects it), so the plaintext is.
 */
class HttpLabelsFuzzTest {

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.writeBytes(new byte[] {(byte) (stream >>> 24), (byte) (stream >>> 16), 0, (byte) stream});
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A client's and a server's HTTP/2 stream (static-table and literal HPACK, RFC 7541 C.3). */
  private static List<byte[]> http2(boolean server) {
    List<byte[]> records = new ArrayList<>();
    if (!server) {
      ByteArrayOutputStream first = new ByteArrayOutputStream();
      first.writeBytes(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
      first.writeBytes(frame(4, 0, 0, new byte[0]));
      records.add(first.toByteArray());
      records.add(frame(1, 5, 1, ascii("\u0082\u0086\u0084\u0041\u000fwww.example.com")));
      records.add(frame(1, 5, 3, ascii("\u0082\u0086\u0084\u00be")));
    } else {
      records.add(frame(4, 0, 0, new byte[] {0, 3, 0, 0, 0, 100}));
      records.add(frame(1, 4, 1, ascii("\u0088\u005f\u0009text/html")));
      byte[] body = new byte[20_000];
      byte[] data = frame(0, 1, 1, body);
      records.add(java.util.Arrays.copyOfRange(data, 0, 16_384));
      records.add(java.util.Arrays.copyOfRange(data, 16_384, data.length));
    }
    return records;
  }

  private static List<byte[]> http1(boolean server) {
    if (!server)
      return List.of(
          ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
          ascii("POST /f HTTP/1.1\r\nContent-Length: 5\r\n"),
          ascii("\r\nabcde"));
    return List.of(
        ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\n01234"),
        ascii("56789HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n"),
        ascii("0\r\n\r\n"));
  }

  @Test
  void brokenDecryptedHttpNeverThrowsAndAlwaysLeavesALabel() {
    Random rnd = new Random(20261201);
    int records = 0;
    for (int round = 0; round < 3000; round++) {
      boolean h2 = round % 2 == 0;
      Connection c =
          new Connection(
              1, new byte[] {127, 0, 0, 1}, new byte[] {127, 0, 0, 2}, 50000, 8443, 4, null);
      c.version = 0x0304;
      c.alpnChosen = h2 ? "h2" : (round % 4 == 1 ? "http/1.1" : null);
      List<byte[]> client = new ArrayList<>(h2 ? http2(false) : http1(false));
      List<byte[]> server = new ArrayList<>(h2 ? http2(true) : http1(true));
      for (List<byte[]> side : List.of(client, server)) {
        for (int i = 0; i < side.size(); i++) side.set(i, mutate(side.get(i), rnd));
      }
      TlsDissector.FrameCtx fx = new TlsDissector.FrameCtx();
      int n = Math.max(client.size(), server.size());
      for (int i = 0; i < n; i++) {
        for (boolean fromServer : new boolean[] {false, true}) {
          List<byte[]> side = fromServer ? server : client;
          if (i >= side.size()) continue;
          byte[] d = side.get(i);
          Row row = new Row();
          fx.reset(i, row, true);
          fx.append("Application Data");
          Payload shown = Payloads.decode(c, fromServer, d, false);
          HttpLabels.record(c, fromServer, d, shown, fx);
          records++;
          assertThat(fx.info.toString())
              .as("round %d record %d: a label for %d bytes", round, i, d.length)
              .isNotEmpty();
        }
      }
    }
    assertThat(records).isGreaterThan(10_000);
  }

  /** One of: as it is, cut short, a few bytes flipped, a length field replaced, random bytes. */
  private static byte[] mutate(byte[] d, Random rnd) {
    byte[] m = d.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> {
        return m;
      }
      case 1 -> {
        return java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1));
      }
      case 2 -> {
        for (int k = 0; k < 1 + rnd.nextInt(4) && m.length > 0; k++)
          m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
        return m;
      }
      case 3 -> {
        // An HTTP/2 length or an HTTP/1 digit: the first three bytes, or a digit, replaced.
        if (m.length >= 3) {
          m[0] = (byte) rnd.nextInt(256);
          m[1] = (byte) rnd.nextInt(256);
          m[2] = (byte) rnd.nextInt(256);
        }
        for (int i = 0; i < m.length; i++)
          if (m[i] >= '0' && m[i] <= '9' && rnd.nextInt(3) == 0)
            m[i] = (byte) ('0' + rnd.nextInt(10));
        return m;
      }
      default -> {
        byte[] r = new byte[rnd.nextInt(64)];
        rnd.nextBytes(r);
        return r;
      }
    }
  }
}
