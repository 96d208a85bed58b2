// Java referee for key routing: the official Pulsar Java client (pulsar-client-original) sends one message
// per key to a partitioned topic with its default message router, and reports the partition that each send
// landed on, read from the MessageId the broker returned.
//
//   java -cp <classpath> RoutingReferee.java --service-url pulsar://localhost:6650 --topic <partitioned topic>
//        [--hashing JavaStringHash|Murmur3_32Hash] [--batching true|false]
//
// Without --hashing the producer keeps the client's default hashing scheme (we only set it when asked, so
// the default itself is what gets tested).
//
// stdin, one key per line:
//   s <hex>      a string key, given as its UTF-16 code units (4 hex digits each, so lone surrogates survive)
//                and sent with .key(String)
//   b <base64>   a binary key, sent with .keyBytes(byte[])  (an empty base64 field is an empty byte array)
// stdout, one JSON line per input line, in input order:
//   {"i":<line index>,"partition":<partition index>,"messageId":"<MessageId.toString()>"}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.HashingScheme;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.TypedMessageBuilder;

public class RoutingReferee {
  public static void main(String[] args) throws Exception {
    String serviceUrl = "pulsar://localhost:6650";
    String topic = null;
    String hashing = null;
    boolean batching = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--service-url" -> serviceUrl = args[++i];
        case "--topic" -> topic = args[++i];
        case "--hashing" -> hashing = args[++i];
        case "--batching" -> batching = Boolean.parseBoolean(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (topic == null) throw new IllegalArgumentException("--topic is required");

    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      for (String line; (line = in.readLine()) != null; ) if (!line.isEmpty()) lines.add(line);
    }

    try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).operationTimeout(30, TimeUnit.SECONDS).build()) {
      ProducerBuilder<byte[]> builder = client.newProducer()
          .topic(topic)
          .enableBatching(batching)
          .blockIfQueueFull(true)
          .sendTimeout(60, TimeUnit.SECONDS);
      if (hashing != null) builder.hashingScheme(HashingScheme.valueOf(hashing));
      try (Producer<byte[]> producer = builder.create()) {
        List<CompletableFuture<MessageId>> sends = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          String kind = line.substring(0, 1);
          String data = line.length() > 2 ? line.substring(2) : "";
          TypedMessageBuilder<byte[]> msg = producer.newMessage().value(("m-" + i).getBytes(StandardCharsets.UTF_8));
          switch (kind) {
            case "s" -> msg.key(decodeUtf16Hex(data));
            case "b" -> msg.keyBytes(Base64.getDecoder().decode(data));
            default -> throw new IllegalArgumentException("line " + i + ": unknown key kind " + kind);
          }
          sends.add(msg.sendAsync());
        }
        producer.flush();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sends.size(); i++) {
          MessageId id = sends.get(i).get(60, TimeUnit.SECONDS);
          int partition = ((MessageIdAdv) id).getPartitionIndex();
          out.append("{\"i\":").append(i)
              .append(",\"partition\":").append(partition)
              .append(",\"messageId\":\"").append(id).append("\"}\n");
        }
        System.out.print(out);
        System.out.flush();
      }
    }
  }

  private static String decodeUtf16Hex(String hex) {
    if (hex.length() % 4 != 0) throw new IllegalArgumentException("UTF-16 hex length not a multiple of 4: " + hex);
    char[] chars = new char[hex.length() / 4];
    for (int i = 0; i < chars.length; i++) chars[i] = (char) Integer.parseInt(hex.substring(i * 4, i * 4 + 4), 16);
    return new String(chars);
  }
}
