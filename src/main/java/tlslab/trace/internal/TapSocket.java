package tlslab.trace.internal;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A plain TCP socket that shows every byte it carries to a listener before an {@code SSLSocket}
 * layered on top of it ({@code SSLSocketFactory.createSocket(socket, …)}) sees it: the socket
 * counterpart of the engine driver's {@code onRecords} hook. The listener runs on the thread doing
 * the I/O, which is the handshaking thread, so it can also look into JSSE's state between records.
 */
public final class TapSocket extends Socket {
  /** Receives bytes as read or about to be written. */
  public interface Listener {
    void onBytes(boolean outbound, ByteBuffer bytes);
  }

  private volatile Listener listener;
  private InputStream in;
  private OutputStream out;

  /** Sets who sees the bytes from now on. */
  public void listener(Listener l) {
    this.listener = l;
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (in == null) {
      in =
          new FilterInputStream(super.getInputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = super.read(b, off, len);
              Listener l = listener;
              if (n > 0 && l != null) {
                l.onBytes(false, ByteBuffer.wrap(b, off, n).asReadOnlyBuffer());
              }
              return n;
            }
          };
    }
    return in;
  }

  @Override
  public synchronized OutputStream getOutputStream() throws IOException {
    if (out == null) {
      out =
          new FilterOutputStream(super.getOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              Listener l = listener;
              if (l != null) {
                l.onBytes(true, ByteBuffer.wrap(b, off, len).asReadOnlyBuffer());
              }
              out.write(b, off, len);
            }
          };
    }
    return out;
  }
}
