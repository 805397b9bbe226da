package io.medallion.connector.files;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky://}, whose next {@link #FAILURES} opens fail
 * the way a network store fails now and then (a read timeout).
 */
public class FlakyFileSystem extends RawLocalFileSystem {
  /** How many of the next opens fail. */
  public static final AtomicInteger FAILURES = new AtomicInteger();

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new SocketTimeoutException("Read timed out (simulated) opening " + f);
    }
    return super.open(f, bufferSize);
  }
}
