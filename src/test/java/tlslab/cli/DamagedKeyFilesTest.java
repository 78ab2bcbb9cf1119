package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate and key files given to commands, damaged: cut short, bits flipped, bytes replaced,
 * empty. {@code lab certs show} and {@code lab annotate --key / --keylog} must answer each with a
 * result or one error line and a documented exit code, never an internal error (exit 70) or a stack
 * trace. Fixed seed; the files are a fresh lab CA's.
 */
class DamagedKeyFilesTest {
  @TempDir Path dir;

  @Test
  void damagedCertificatesKeysAndKeyLogsGetOneLineAndADocumentedExitCode() throws Exception {
    Path certs = dir.resolve("certs");
    assertThat(CliRun.run("certs", "init", "--dir", certs.toString()).exit()).isZero();
    Path capture = Path.of("src/test/resources/captures/tls12-rsa-report-suite.pcap");
    Random rnd = new Random(20261202L);
    List<String> bad = new ArrayList<>();
    int runs = 0;
    for (String name : List.of("ca.pem", "server.pem", "server.key", "cert.pem", "server.p12")) {
      byte[] good = Files.readAllBytes(certs.resolve(name));
      for (int i = 0; i < 14; i++) {
        byte[] m = mutate(good, rnd, i);
        Path f = dir.resolve("m-" + i + "-" + name);
        Files.write(f, m);
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"certs", "show", f.toString()});
        if (name.endsWith(".key") || name.equals("cert.pem"))
          commands.add(new String[] {"annotate", capture.toString(), "--key", f.toString()});
        if (name.equals("server.pem"))
          commands.add(new String[] {"annotate", capture.toString(), "--keylog", f.toString()});
        for (String[] args : commands) {
          CliRun.Result r = CliRun.run(args);
          runs++;
          boolean documented = r.exit() == 0 || r.exit() == 1 || r.exit() == 3;
          boolean oneLine = r.exit() == 0 || r.err().strip().lines().count() == 1;
          if (!documented || !oneLine || r.err().contains("internal error"))
            bad.add(
                String.join(" ", args)
                    + " (mutation "
                    + i
                    + "): exit "
                    + r.exit()
                    + ": "
                    + r.err().lines().limit(3).toList());
        }
      }
    }
    assertThat(runs).isGreaterThan(90);
    assertThat(bad).isEmpty();
  }

  private static byte[] mutate(byte[] good, Random rnd, int i) {
    switch (i % 7) {
      case 0 -> {
        return Arrays.copyOf(good, rnd.nextInt(good.length)); // cut short
      }
      case 1 -> {
        byte[] m = good.clone();
        for (int k = 0; k < 1 + rnd.nextInt(6); k++)
          m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
        return m;
      }
      case 2 -> {
        byte[] m = good.clone();
        int a = rnd.nextInt(m.length);
        for (int k = a; k < Math.min(m.length, a + 1 + rnd.nextInt(40)); k++)
          m[k] = (byte) rnd.nextInt(256);
        return m;
      }
      case 3 -> {
        return new byte[0];
      }
      case 4 -> {
        // A PEM body's base64 with a line removed: DER lengths that run past the end.
        String s = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(s.lines().toList());
        if (lines.size() > 3) lines.remove(1 + rnd.nextInt(lines.size() - 2));
        return String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      }
      case 5 -> {
        byte[] m = new byte[good.length * 2]; // the file twice, the second copy damaged
        System.arraycopy(good, 0, m, 0, good.length);
        System.arraycopy(good, 0, m, good.length, good.length);
        m[good.length + rnd.nextInt(good.length)] ^= 0x55;
        return m;
      }
      default -> {
        byte[] m = new byte[1 + rnd.nextInt(3000)];
        rnd.nextBytes(m);
        return m;
      }
    }
  }
}
