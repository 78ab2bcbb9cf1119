package tlslab.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import tlslab.common.LabException;

/**
 * The floor of a chat server's cost per delivery: one bare write of a record-sized buffer to a
 * loopback TCP socket, no TLS, no chat. A server that writes once per delivery cannot do better
 * than this many deliveries per CPU-second. Measured as the sending thread's CPU time while it
 * writes {@code bytes} to each of {@code sockets} sockets in turn; another thread drains them.
 */
final class LoopbackFloor {
  private LoopbackFloor() {}

  /** Writes per CPU-second of the writing thread. */
  static double writesPerCpuSecond(int sockets, int bytes, int rounds) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<SocketChannel> senders = new ArrayList<>();
    List<SocketChannel> receivers = new ArrayList<>();
    try (ServerSocketChannel acceptor = ServerSocketChannel.open();
        Selector selector = Selector.open()) {
      acceptor.bind(new InetSocketAddress("127.0.0.1", 0), sockets);
      for (int i = 0; i < sockets; i++) {
        SocketChannel s = SocketChannel.open(acceptor.getLocalAddress());
        s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        senders.add(s);
        SocketChannel r = acceptor.accept();
        r.configureBlocking(false);
        r.register(selector, SelectionKey.OP_READ);
        receivers.add(r);
      }
      Thread drain =
          new Thread(
              () -> {
                ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
                try {
                  while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                      sink.clear();
                      ((SocketChannel) k.channel()).read(sink);
                    }
                    selector.selectedKeys().clear();
                  }
                } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                  // closed at the end of the measurement
                }
              },
              "floor-drain");
      drain.setDaemon(true);
      drain.start();
      try {
        return measure(senders, bytes, rounds, mx);
      } finally {
        // Stop the drain before the selector closes (try-with-resources closes it before any
        // finally block runs): closing it under the drain's iteration of the selected keys threw
        // ConcurrentModificationException in the drain thread.
        drain.interrupt();
        selector.wakeup();
        joinQuietly(drain);
      }
    } catch (IOException e) {
      throw LabException.environment("loopback floor: " + e.getMessage());
    } finally {
      for (SocketChannel c : senders) {
        closeQuietly(c);
      }
      for (SocketChannel c : receivers) {
        closeQuietly(c);
      }
    }
  }

  private static double measure(List<SocketChannel> senders, int bytes, int rounds, ThreadMXBean mx)
      throws IOException {
    int sockets = senders.size();
    ByteBuffer record = ByteBuffer.allocateDirect(bytes);
    for (int warm = 0; warm < 2; warm++) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      int n = warm == 0 ? Math.max(1, rounds / 10) : rounds;
      for (int round = 0; round < n; round++) {
        for (SocketChannel s : senders) {
          record.clear();
          s.write(record);
        }
        if (round % 16 == 15) {
          Thread.yield(); // let the drain keep up, so that no write blocks
        }
      }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      if (warm == 1) {
        return (double) n * sockets / (cpu / 1e9);
      }
    }
    throw new AssertionError("unreachable");
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // scratch sockets
    }
  }
}
