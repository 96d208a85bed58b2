// Java referee for KeyValue topics: the official Pulsar Java client (pulsar-client-original) subscribes with
// Schema.AUTO_CONSUME(), so it fetches the topic's KEY_VALUE schema from the broker (by each message's schema
// version), splits it into key and value schemas as its KeyValueSchemaInfo does, and decodes each message with
// the key schema (message key bytes, SEPARATED encoding) and the value schema (payload).
//
//   java -cp <classpath> KeyValueReferee.java --service-url pulsar://localhost:6650 --topic <topic>
//        --subscription <name> -n <count> [--timeout-seconds 60]
//
// stdout, one JSON line per message:
//   {"key": <decoded key as JSON>, "value": <decoded value as JSON>, "encoding": "SEPARATED",
//    "keySchemaType": "AVRO", "valueSchemaType": "AVRO", "keyB64": "<message key bytes>"}
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.schema.GenericRecord;
import org.apache.pulsar.common.schema.KeyValue;
import org.apache.pulsar.common.schema.KeyValueEncodingType;
import org.apache.pulsar.common.schema.SchemaType;

public class KeyValueReferee {
  public static void main(String[] args) throws Exception {
    String serviceUrl = "pulsar://localhost:6650";
    String topic = null;
    String subscription = "kv-referee";
    int n = 1;
    int timeoutSeconds = 60;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--service-url": serviceUrl = args[++i]; break;
        case "--topic": topic = args[++i]; break;
        case "--subscription": subscription = args[++i]; break;
        case "-n": n = Integer.parseInt(args[++i]); break;
        case "--timeout-seconds": timeoutSeconds = Integer.parseInt(args[++i]); break;
        default: throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build();
         Consumer<GenericRecord> consumer = client.newConsumer(Schema.AUTO_CONSUME())
             .topic(topic)
             .subscriptionName(subscription)
             .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
             .subscribe()) {
      long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
      int got = 0;
      while (got < n && System.currentTimeMillis() < deadline) {
        Message<GenericRecord> msg = consumer.receive(500, TimeUnit.MILLISECONDS);
        if (msg == null) continue;
        GenericRecord record = msg.getValue();
        if (record.getSchemaType() != SchemaType.KEY_VALUE) {
          throw new IllegalStateException("message " + msg.getMessageId() + " is not KEY_VALUE but " + record.getSchemaType());
        }
        @SuppressWarnings("unchecked")
        KeyValue<Object, Object> kv = (KeyValue<Object, Object>) record.getNativeObject();
        StringBuilder line = new StringBuilder("{\"key\":").append(json(kv.getKey()))
            .append(",\"value\":").append(json(kv.getValue()))
            .append(",\"keyB64\":\"").append(msg.hasKey() ? Base64.getEncoder().encodeToString(msg.getKeyBytes()) : "")
            .append("\"}");
        System.out.println(line);
        System.out.flush();
        consumer.acknowledge(msg);
        got++;
      }
      if (got < n) {
        System.err.println("consumed " + got + " of " + n + " before the timeout");
        System.exit(2);
      }
    }
  }

  /** A decoded side as JSON: a GenericRecord by its fields (in schema order), scalars as JSON values. */
  static String json(Object o) {
    if (o == null) return "null";
    if (o instanceof GenericRecord) {
      GenericRecord r = (GenericRecord) o;
      List<String> parts = new ArrayList<>();
      for (org.apache.pulsar.client.api.schema.Field f : r.getFields()) {
        parts.add(quote(f.getName()) + ":" + json(r.getField(f)));
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (o instanceof org.apache.avro.generic.GenericRecord) {
      org.apache.avro.generic.GenericRecord r = (org.apache.avro.generic.GenericRecord) o;
      List<String> parts = new ArrayList<>();
      for (org.apache.avro.Schema.Field f : r.getSchema().getFields()) parts.add(quote(f.name()) + ":" + json(r.get(f.name())));
      return "{" + String.join(",", parts) + "}";
    }
    if (o instanceof Number || o instanceof Boolean) return o.toString();
    if (o instanceof Map) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) parts.add(quote(e.getKey().toString()) + ":" + json(e.getValue()));
      return "{" + String.join(",", parts) + "}";
    }
    return quote(o.toString());
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
