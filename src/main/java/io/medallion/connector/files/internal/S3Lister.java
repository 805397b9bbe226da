package io.medallion.connector.files.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists the files under {@code s3a://bucket/prefix/} with ListObjectsV2: 1,000 keys a request (or
 * fewer: {@code fs.s3a.paging.maximum}), in S3's order, starting after a given key ({@code
 * StartAfter}), so an incremental listing of files that arrive in key order (dated folders,
 * timestamped names) costs one request per 1,000 new files, not one per 1,000 files under the root.
 *
 * <p>Endpoint, path-style access, region and credentials come from the S3A settings ({@link
 * S3Settings}). Directory markers (keys ending in {@code /}) and hidden files ({@link
 * HiddenPaths}) are skipped. Paths are {@code <root scheme>://bucket/key}.
 *
 * <p>Order: S3 sorts keys by their UTF-8 bytes, {@link String#compareTo} by UTF-16 units; the two
 * agree except between characters above U+FFFF and those in U+E000..U+FFFF.
 *
 * <p>Errors (missing bucket, denied access, unreachable endpoint, timeout) are {@link IOException}s
 * naming the root and what to check; they never contain the secret key. One API call takes at
 * most {@link S3Settings#apiCallTimeout()} (30 s by default), three attempts included.
 */
public final class S3Lister implements FileLister {
  private final S3Location root;
  private final S3Settings settings;
  private final S3Client client;
  private final AwsCredentialsProvider credentials;
  private final AtomicLong requests = new AtomicLong();

  /** A lister of {@code rootUri} configured by the S3A settings in {@code conf}. */
  public S3Lister(String rootUri, Configuration conf) {
    this(S3Location.parse(rootUri), conf);
  }

  private S3Lister(S3Location root, Configuration conf) {
    this(root, S3Settings.fromHadoop(conf, root.bucket()));
  }

  /** A lister of {@code root} with explicit settings (for {@code settings.bucket()}). */
  public S3Lister(S3Location root, S3Settings settings) {
    if (!root.bucket().equals(settings.bucket())) {
      throw new IllegalArgumentException("Settings of bucket " + settings.bucket()
          + " cannot list " + root);
    }
    this.root = root;
    this.settings = settings;
    this.credentials = settings.credentialsProvider();
    S3ClientBuilder builder = S3Client.builder()
        .region(settings.region())
        .credentialsProvider(credentials)
        .forcePathStyle(settings.pathStyleAccess())
        .httpClientBuilder(S3Settings.http(settings.apiCallTimeout()))
        .overrideConfiguration(c -> S3Settings.timeouts(c, settings.apiCallTimeout()));
    if (settings.endpoint() != null) {
      builder.endpointOverride(S3Settings.endpointUri(settings.endpoint()));
    } else if (settings.regionGuessed()) {
      builder.crossRegionAccessEnabled(true);
    }
    this.client = builder.build();
  }

  public S3Location root() {
    return root;
  }

  @Override
  public void list(Optional<String> startAfter, Consumer<FileEntry> sink) throws IOException {
    String after = startAfter.map(root::keyOf).orElse(null);
    if (after != null && after.compareTo(root.prefix()) < 0) {
      after = null; // every key under the prefix sorts after it
    }
    String token = null;
    boolean first = true;
    do {
      ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
          .bucket(root.bucket()).maxKeys(settings.pageSize());
      if (!root.prefix().isEmpty()) {
        request.prefix(root.prefix());
      }
      if (token != null) {
        request.continuationToken(token);
      } else if (first && after != null) {
        request.startAfter(after);
      }
      first = false;
      ListObjectsV2Response page = call(request.build());
      for (S3Object object : page.contents()) {
        String key = object.key();
        if (after != null && key.compareTo(after) <= 0) {
          continue; // a store that ignores StartAfter
        }
        if (root.isListedFile(key)) {
          sink.accept(new FileEntry(root.pathOf(key), object.size() == null ? 0 : object.size(),
              object.lastModified() == null ? 0 : object.lastModified().toEpochMilli()));
        }
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
  }

  @Override
  public long listRequests() {
    return requests.get();
  }

  @Override
  public void close() {
    client.close();
    if (credentials instanceof AutoCloseable) {
      try {
        ((AutoCloseable) credentials).close();
      } catch (Exception e) {
        // Best effort.
      }
    }
  }

  @Override
  public String toString() {
    return "S3Lister[" + root + ", " + settings + "]";
  }

  private ListObjectsV2Response call(ListObjectsV2Request request) throws IOException {
    requests.incrementAndGet();
    try {
      return client.listObjectsV2(request);
    } catch (NoSuchBucketException e) {
      throw new IOException("Cannot list " + root + ": bucket '" + root.bucket()
          + "' does not exist at " + where() + ". Check the bucket name in the path and the"
          + " endpoint (fs.s3a.endpoint or fs.s3a.bucket." + root.bucket() + ".endpoint)"
          + awsDetail(e), e);
    } catch (AwsServiceException e) {
      int status = e.statusCode();
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (status == 403 || "InvalidAccessKeyId".equals(code)
          || "SignatureDoesNotMatch".equals(code) || "AccessDenied".equals(code)) {
        throw new IOException("Access denied listing " + root + " at " + where() + " with "
            + settings.credentialsSource() + ". Check the access key and secret key"
            + " (fs.s3a.access.key, fs.s3a.secret.key or their fs.s3a.bucket." + root.bucket()
            + ".* forms) and that they allow s3:ListBucket on bucket " + root.bucket()
            + awsDetail(e), e);
      }
      if (status == 301 || "PermanentRedirect".equals(code)
          || "AuthorizationHeaderMalformed".equals(code)) {
        throw new IOException("Cannot list " + root + ": bucket '" + root.bucket() + "' is in"
            + " another region than " + settings.region() + ". Set fs.s3a.endpoint.region (or"
            + " fs.s3a.bucket." + root.bucket() + ".endpoint.region) to the bucket's region"
            + awsDetail(e), e);
      }
      throw new IOException("Cannot list " + root + " at " + where() + ": S3 answered HTTP "
          + status + awsDetail(e), e);
    } catch (ApiCallTimeoutException e) {
      throw new IOException("Cannot list " + root + ": no answer from " + where() + " within "
          + settings.apiCallTimeout().toSeconds() + " s. Check the endpoint (fs.s3a.endpoint),"
          + " the network and proxies", e);
    } catch (AbortedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("Interrupted while listing " + root);
      interrupted.initCause(e);
      throw interrupted;
    } catch (SdkException e) {
      if (Thread.currentThread().isInterrupted()) {
        InterruptedIOException interrupted =
            new InterruptedIOException("Interrupted while listing " + root);
        interrupted.initCause(e);
        throw interrupted;
      }
      throw new IOException("Cannot list " + root + ": cannot reach " + where() + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "). Check the endpoint"
          + " (fs.s3a.endpoint, fs.s3a.bucket." + root.bucket() + ".endpoint), the region"
          + " (fs.s3a.endpoint.region), the credentials source (" + settings.credentialsSource()
          + ") and the network", e);
    }
  }

  private String where() {
    return settings.endpoint() != null ? "endpoint " + settings.endpoint()
        : "AWS S3 (region " + settings.region() + ")";
  }

  private static String awsDetail(AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return " (HTTP " + e.statusCode() + (code == null ? "" : ", " + code)
        + (e.requestId() == null ? "" : ", request id " + e.requestId()) + ")";
  }
}
