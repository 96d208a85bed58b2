"""Interop referee: confluent-kafka (librdkafka) with the Confluent Avro serdes and Schema Registry client.

produce: reads one JSON object per stdin line, {"key": "k" | null, "value": {...record as JSON...}}, serializes the
  value with AvroSerializer (registering the schema under <topic>-value unless --no-auto-register), sends it,
  flushes, and prints one JSON line per delivered record: {"topic", "partition", "offset", "key"}.
consume: reads -n records from the beginning of the topic with a fresh consumer group and prints one JSON line
  per record: {"key", "value", "partition", "offset", "schema_id"}; schema_id is read from the 5-byte Confluent
  header (magic byte 0 + big-endian int32) of the raw value, which AvroDeserializer then decodes.

stdout carries JSON lines only; librdkafka and client logs go to stderr. Exits non-zero on any delivery error,
or when consume times out before -n records.
"""
import argparse
import base64
import json
import logging
import os
import struct
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, StringDeserializer, StringSerializer


def stderr_logger():
    logger = logging.getLogger("kafka_avro_referee")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
    return logger


def schema_text(spec):
    """--schema: a path to an .avsc file, or the schema JSON itself."""
    if os.path.isfile(spec):
        with open(spec, encoding="utf-8") as f:
            return f.read()
    json.loads(spec)  # fail early on a typo rather than in the registry
    return spec


def to_json(value):
    """JSON for decoded Avro values (bytes become base64; anything else exotic becomes a string)."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return str(value)


def produce(args, registry):
    logger = stderr_logger()
    serializer = AvroSerializer(
        registry,
        schema_text(args.schema),
        conf={"auto.register.schemas": not args.no_auto_register},
    )
    # --key-schema: keys written with the AvroSerializer too (subject <topic>-key), else as UTF-8 strings.
    keys = AvroSerializer(registry, schema_text(args.key_schema)) if args.key_schema else StringSerializer("utf_8")
    producer = Producer({"bootstrap.servers": args.bootstrap_servers, "acks": "all",
                         "enable.idempotence": True, "linger.ms": 5}, logger=logger)
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
            return
        key = msg.key()
        print(json.dumps({"topic": msg.topic(), "partition": msg.partition(), "offset": msg.offset(),
                          "key": key.decode() if key is not None and not args.key_schema else None}), flush=True)

    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        value = serializer(spec["value"], SerializationContext(args.topic, MessageField.VALUE))
        key = spec.get("key")
        key_bytes = keys(key, SerializationContext(args.topic, MessageField.KEY)) if key is not None else None
        while True:
            try:
                producer.produce(args.topic, key=key_bytes, value=value, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(args.timeout)
    if remaining:
        errors.append(f"{remaining} records not delivered within {args.timeout}s")
    if errors:
        raise SystemExit("delivery failed: " + "; ".join(errors[:5]))


def consume(args, registry):
    logger = stderr_logger()
    deserializer = AvroDeserializer(registry, schema_text(args.schema) if args.schema else None)
    keys = StringDeserializer("utf_8")
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap_servers,
        "group.id": args.group or f"k2p-avro-referee-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    }, logger=logger)
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.monotonic() + args.timeout
    try:
        while seen < args.n and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                # A topic created a moment ago may not be in the consumer's metadata yet: keep polling.
                if msg.error().code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                    logger.warning("%s", msg.error())
                    continue
                raise KafkaException(msg.error())
            raw = msg.value()
            schema_id = None
            if raw is not None and len(raw) >= 5 and raw[0] == 0:
                schema_id = struct.unpack(">I", raw[1:5])[0]
            ctx = SerializationContext(msg.topic(), MessageField.VALUE)
            value = deserializer(raw, ctx) if raw is not None else None
            key = keys(msg.key(), SerializationContext(msg.topic(), MessageField.KEY))
            print(json.dumps({"key": key, "value": value, "partition": msg.partition(), "offset": msg.offset(),
                              "schema_id": schema_id}, default=to_json), flush=True)
            seen += 1
    finally:
        consumer.close()
    if seen < args.n:
        raise SystemExit(f"consumed {seen} of {args.n} records before the {args.timeout}s timeout")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--registry-url", default="http://localhost:8081/apis/ccompat/v7")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for flush / for consuming -n records")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("produce")
    p.add_argument("topic")
    p.add_argument("--schema", required=True, help="Avro schema: a .avsc path or the JSON text")
    p.add_argument("--no-auto-register", action="store_true", help="use an already registered schema")
    p.add_argument("--key-schema", help="Avro schema of the keys (JSON text): keys are AvroSerializer-framed")
    c = sub.add_parser("consume")
    c.add_argument("topic")
    c.add_argument("-n", type=int, required=True, help="records to read")
    c.add_argument("--group", help="consumer group (default: a fresh one)")
    c.add_argument("--schema", help="reader schema (default: the writer schema from the registry)")
    args = parser.parse_args()
    registry = SchemaRegistryClient({"url": args.registry_url})
    if args.command == "produce":
        produce(args, registry)
    else:
        consume(args, registry)


if __name__ == "__main__":
    main()
