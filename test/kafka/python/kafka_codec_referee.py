"""Codec referee: confluent-kafka (librdkafka) writes and reads Kafka record batches in a compression codec.

produce TOPIC --compression C [--transaction commit|abort]: reads one JSON object per stdin line,
  {"key": str|null, "value": base64|null, "partition": int, "headers" (optional): [[name, base64|null], ...]},
  sends them with compression.type=C in as few batches as possible (linger.ms=50) — headers as the ordered
  list they are (repeated names anywhere, null values), which kafkajs's producer cannot send — flushes, and
  prints one JSON line per delivered record: {"partition", "offset", "key"}. With --transaction, all of them
  in one transaction, then committed or aborted (aborted records are printed too, delivered before the abort).
consume TOPIC -n N: reads N records from the beginning with a fresh group and prints one JSON line per record:
  {"partition", "offset", "key", "value" (base64|null)}.

stdout carries JSON lines only; logs go to stderr. Exits non-zero on a delivery error or a timeout.
"""
import argparse
import base64
import json
import logging
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer


def stderr_logger():
    logger = logging.getLogger("kafka_codec_referee")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
    return logger


def b64(data):
    return base64.b64encode(data).decode() if data is not None else None


def produce(args):
    config = {"bootstrap.servers": args.bootstrap_servers, "acks": "all", "enable.idempotence": True,
              "compression.type": args.compression, "linger.ms": 50, "batch.num.messages": 100000}
    if args.transaction:
        config["transactional.id"] = f"k2p-codec-referee-{uuid.uuid4()}"
    producer = Producer(config, logger=stderr_logger())
    if args.transaction:
        producer.init_transactions(args.timeout)
        producer.begin_transaction()
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
            return
        key = msg.key()
        print(json.dumps({"partition": msg.partition(), "offset": msg.offset(),
                          "key": key.decode() if key is not None else None}), flush=True)

    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        key = spec.get("key")
        value = spec.get("value")
        headers = [(name, base64.b64decode(v) if v is not None else None) for name, v in spec.get("headers", [])]
        while True:
            try:
                producer.produce(args.topic, key=key.encode() if key is not None else None,
                                 value=base64.b64decode(value) if value is not None else None,
                                 partition=spec.get("partition", 0), headers=headers, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
    if args.transaction == "commit":
        producer.commit_transaction(args.timeout)
    elif args.transaction == "abort":
        producer.flush(args.timeout)  # delivered (offsets printed) before the abort marker
        producer.abort_transaction(args.timeout)
    remaining = producer.flush(args.timeout)
    if remaining:
        errors.append(f"{remaining} records not delivered within {args.timeout}s")
    if errors:
        raise SystemExit("delivery failed: " + "; ".join(errors[:5]))


def consume(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap_servers, "group.id": f"k2p-codec-referee-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed"}, logger=stderr_logger())
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.monotonic() + args.timeout
    try:
        while seen < args.n and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                    continue
                raise KafkaException(msg.error())
            key = msg.key()
            print(json.dumps({"partition": msg.partition(), "offset": msg.offset(),
                              "key": key.decode() if key is not None else None, "value": b64(msg.value())}), flush=True)
            seen += 1
    finally:
        consumer.close()
    if seen < args.n:
        raise SystemExit(f"consumed {seen} of {args.n} records before the {args.timeout}s timeout")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--timeout", type=float, default=60.0)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("produce")
    p.add_argument("topic")
    p.add_argument("--compression", required=True, choices=["none", "gzip", "snappy", "lz4", "zstd"])
    p.add_argument("--transaction", choices=["commit", "abort"])
    c = sub.add_parser("consume")
    c.add_argument("topic")
    c.add_argument("-n", type=int, required=True)
    args = parser.parse_args()
    produce(args) if args.command == "produce" else consume(args)


if __name__ == "__main__":
    main()
