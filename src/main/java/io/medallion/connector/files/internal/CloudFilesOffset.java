package io.medallion.connector.files.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.execution.streaming.Offset;

/**
 * A position in the {@link DiscoveryLog}: all files with sequence numbers up to {@link #seq()} are
 * in batches at or before this offset. Serialized as {@code {"version":1,"seq":N,"logId":"..."}};
 * parsing is strict, and an offset of another log (a checkpoint mixed with another's files) is
 * refused.
 */
public final class CloudFilesOffset extends Offset {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long seq;
  private final String logId;

  public CloudFilesOffset(long seq, String logId) {
    this.seq = seq;
    this.logId = logId;
  }

  public long seq() {
    return seq;
  }

  @Override
  public String json() {
    return "{\"version\":1,\"seq\":" + seq + ",\"logId\":\"" + logId + "\"}";
  }

  /** The sequence number of an offset Spark hands back (ours, or serialized JSON after restart). */
  public static long seqOf(org.apache.spark.sql.connector.read.streaming.Offset offset, String expectedLogId) {
    if (offset == null) {
      return -1;
    }
    if (offset instanceof CloudFilesOffset o) {
      return o.seq;
    }
    String json = offset.json();
    try {
      JsonNode n = JSON.readTree(json);
      if (n.path("version").asInt() != 1 || !n.has("seq") || !n.get("seq").canConvertToLong()) {
        throw new IllegalArgumentException("unexpected content");
      }
      String id = n.path("logId").asText();
      if (!id.equals(expectedLogId)) {
        throw new IllegalStateException("The checkpoint's offset " + json + " belongs to another file"
            + " discovery log (" + id + ", this one is " + expectedLogId + "): the checkpoint's"
            + " sources/ directory was replaced. Restore it or use a new checkpoint location.");
      }
      return n.get("seq").asLong();
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("Not a cloudFiles offset: " + json + " (expected"
          + " {\"version\":1,\"seq\":N,\"logId\":...}). Was the checkpoint written by another source?", e);
    }
  }
}
