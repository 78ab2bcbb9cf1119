package tlslab.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import tlslab.net.ChatClient;
import tlslab.net.EventLoopGroup;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * The client side of {@link IdleBench}, run in a child JVM: {@code PORT N CA-PEM PROFILE}. Opens N
 * TLS connections on two event loops, prints {@code ready N} once every handshake is done, then
 * holds them until its standard input closes.
 */
public final class IdleClients {
  private IdleClients() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    TlsProfile profile = TlsProfile.parse(args[3]);
    JsseSetup.prepare(profile == TlsProfile.REPORT, false);
    SSLContext ctx = TlsContexts.client(Path.of(args[2]), null, false);
    EventLoopGroup loops = new EventLoopGroup("idle-clients", 2);
    Semaphore inFlight = new Semaphore(100);
    List<CompletableFuture<ChatClient>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      CompletableFuture<ChatClient> f =
          ChatClient.builder()
              .host("localhost")
              .port(port)
              .context(ctx)
              .profile(profile)
              .group(loops)
              .handshakeTimeout(Duration.ofSeconds(120))
              .build()
              .connectAsync();
      f.whenComplete((c, e) -> inFlight.release());
      all.add(f);
    }
    for (CompletableFuture<ChatClient> f : all) {
      try {
        f.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("failed: " + e);
        System.out.flush();
        return;
      }
    }
    System.out.println("ready " + n);
    System.out.flush();
    while (System.in.read() >= 0) {
      // Hold the connections until the parent closes our input.
    }
  }
}
