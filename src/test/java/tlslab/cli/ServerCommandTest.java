package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;

/**
 * {@code lab server} as a process: prints where it listens and the report profile's warning, logs
 * joins and leaves, and on SIGTERM sends close_notify to its clients (a Python ssl client sees a
 * clean end of stream, not an EOF "in violation of protocol").
 */
@Tag("jdk")
class ServerCommandTest {
  @TempDir Path dir;

  @Test
  void reportProfileWarnsLogsJoinsAndClosesCleanlyOnSigterm() throws Exception {
    LabCertificates.init(InitOptions.builder().dir(dir).build());
    String java = ProcessHandle.current().info().command().orElse("java");
    Process server =
        new ProcessBuilder(
                List.of(
                    java,
                    "--add-opens",
                    "java.base/sun.security.ssl=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "server",
                    "--port",
                    "0",
                    "--certs",
                    dir.toString(),
                    "--profile",
                    "report",
                    "--warm-up", // the warm-up has a test of its own (WarmUpTest)
                    "0"))
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String warning = out.readLine();
      assertThat(warning).startsWith("WARNING: profile 'report'").contains("NO forward secrecy");
      String listening = out.readLine();
      Matcher m =
          Pattern.compile(
                  "listening on 127\\.0\\.0\\.1:(\\d+) \\(profile report,"
                      + " TLSv1\\.2, client-auth none, engine jsse\\)")
              .matcher(listening);
      assertThat(m.matches()).as(listening).isTrue();

      Path script = dir.resolve("wait_close.py");
      Files.writeString(
          script,
          String.join(
              "\n",
              "import socket, ssl, sys",
              "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
              "ctx.maximum_version = ssl.TLSVersion.TLSv1_2",
              "ctx.set_ciphers('AES128-SHA')",
              "ctx.load_verify_locations(sys.argv[2])",
              "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))),",
              "                    server_hostname='localhost')",
              "s.sendall(b'/nick py\\n')",
              "data = b''",
              "while True:",
              "    chunk = s.recv(4096)  # raises SSLEOFError if the server skips close_notify",
              "    if not chunk:",
              "        break",
              "    data += chunk",
              "    if b'you are now py' in data:",
              "        print('joined', flush=True)",
              "print('clean close_notify', flush=True)",
              ""));
      Process py =
          new ProcessBuilder(
                  List.of(
                      "python3", script.toString(), m.group(1), dir.resolve("ca.pem").toString()))
              .redirectErrorStream(true)
              .start();
      BufferedReader pyOut =
          new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
      assertThat(pyOut.readLine()).isEqualTo("joined");
      assertThat(out.readLine())
          .matches(
              "\\d\\d:\\d\\d:\\d\\d guest1 joined from 127\\.0\\.0\\.1:\\d+"
                  + " \\(TLSv1\\.2, TLS_RSA_WITH_AES_128_CBC_SHA\\)");

      // Process.destroy() closes our end of the pipes too: collect the rest first, on a thread.
      StringBuilder rest = new StringBuilder();
      Thread collector = new Thread(() -> rest.append(readAll(out)));
      collector.start();
      ProcessHandle.of(server.pid()).ifPresent(h -> h.destroy()); // SIGTERM
      assertThat(pyOut.readLine()).isEqualTo("clean close_notify");
      assertThat(py.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
      collector.join(5000);
      assertThat(rest)
          .contains("shutting down: close_notify to 1 connection(s)")
          .contains("stopped");
    } finally {
      server.destroyForcibly();
    }
  }

  private static String readAll(BufferedReader r) {
    StringBuilder sb = new StringBuilder();
    try {
      String l;
      while ((l = r.readLine()) != null) {
        sb.append(l).append('\n');
      }
    } catch (IOException e) {
      sb.append("(read failed: ").append(e).append(")");
    }
    return sb.toString();
  }
}
