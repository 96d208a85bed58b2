"""Interop referee: the official Pulsar Python client (C++ core) producing and consuming for our tests.

produce: reads one JSON object per stdin line and sends it; prints one JSON line per message id.
  {"payload_b64": "...", "key": "k", "ordering_key": "text", "properties": {...}, "event_time": 123,
   "value": <for --schema avro/json: the record as JSON>,
   "null": true (send a null value), "payload_file": "/path" (payload read from a file instead)}
consume: prints one JSON line per received message (acknowledged), stops after -n messages or --timeout.
  Each line has the fields of message_json(); --digest-only leaves out payload_b64 (big messages).
"""
import argparse
import base64
import hashlib
import json
import os
import sys
import time

import pulsar
from pulsar.schema import AvroSchema, JsonSchema, Record  # noqa: F401  (Record used by dynamic schemas)


# The C++ core logs to stdout by default, and our stdout carries JSON lines only. (A Python logging.Logger
# here makes the C++ core abort at exit on partitioned topics: "terminate called without an active exception".)


def new_client(args):
    kwargs = {}
    if args.token_env:
        # The token comes through the environment, never the command line (visible in ps).
        kwargs["authentication"] = pulsar.AuthenticationToken(os.environ[args.token_env])
    if args.tls_ca:
        kwargs["tls_trust_certs_file_path"] = args.tls_ca
        kwargs["tls_validate_hostname"] = True
    return pulsar.Client(args.service_url, operation_timeout_seconds=30,
                         logger=pulsar.FileLogger(pulsar.LoggerLevel.Warn, "/dev/stderr"), **kwargs)


def schema_from_arg(spec):
    """--schema string | bytes | avro:<record definition json> | json:<record definition json>"""
    if spec in (None, "bytes"):
        return pulsar.schema.BytesSchema()
    if spec == "string":
        return pulsar.schema.StringSchema()
    kind, _, definition = spec.partition(":")
    avro = json.loads(definition)
    if kind == "avro":
        return AvroSchema(None, schema_definition=avro)
    if kind == "json":
        return JsonSchema(record_from_avro(avro))
    raise SystemExit(f"unknown --schema {spec}")


def record_from_avro(avro):
    """A pulsar.schema.Record class for a flat Avro record definition (JsonSchema needs a class).
    A field typed ["null", T] becomes an optional field, a plain T a required one, so that the class's
    schema() is the definition given (what the Python client then registers)."""
    types = {"string": pulsar.schema.String, "int": pulsar.schema.Integer, "long": pulsar.schema.Long,
             "double": pulsar.schema.Double, "boolean": pulsar.schema.Boolean, "float": pulsar.schema.Float}

    def field(f):
        t = f["type"]
        if isinstance(t, list):
            return types[[x for x in t if x != "null"][0]](required=False)
        return types[t](required=True)

    fields = {f["name"]: field(f) for f in avro["fields"]}
    fields["_avro_namespace"] = avro.get("namespace")
    return type(avro["name"], (Record,), fields)


def message_json(msg, schema_kind, digest_only=False):
    mid = msg.message_id()
    data = msg.data()
    out = {
        "message_id": str(mid),
        "ledger_id": mid.ledger_id(),
        "entry_id": mid.entry_id(),
        "batch_index": mid.batch_index(),
        "partition": mid.partition(),
        "topic": msg.topic_name(),
        "key": msg.partition_key() if msg.partition_key() else None,
        # ordering_key() is a str (the C++ std::string decoded as UTF-8).
        "ordering_key": msg.ordering_key() or None,
        "ordering_key_b64": base64.b64encode(msg.ordering_key().encode()).decode() if msg.ordering_key() else None,
        "properties": msg.properties(),
        "event_time": msg.event_timestamp(),
        "publish_time": msg.publish_timestamp(),
        "redelivery_count": msg.redelivery_count(),
        "producer_name": msg.producer_name(),
        "null_value": msg.has_null_value(),
        "schema_version": msg._message.int_schema_version(),  # -1 when none; the wrapper has no accessor
        "payload_size": len(data),
        "payload_sha256": hashlib.sha256(data).hexdigest(),
    }
    if not digest_only:
        out["payload_b64"] = base64.b64encode(data).decode()
    if schema_kind in ("avro", "json") and not msg.has_null_value():
        value = msg.value()
        out["value"] = value if isinstance(value, dict) else value.__dict__ if value is not None else None
        if isinstance(out["value"], dict):
            out["value"] = {k: v for k, v in out["value"].items() if not k.startswith("_")}
    return out


def id_json(mid):
    return {"message_id": str(mid), "partition": mid.partition(), "ledger_id": mid.ledger_id(),
            "entry_id": mid.entry_id(), "batch_index": mid.batch_index()}


def produce(args):
    client = new_client(args)
    compression = getattr(pulsar.CompressionType, args.compression)
    schema = schema_from_arg(args.schema)
    producer = client.create_producer(
        args.topic,
        producer_name=args.producer_name,
        schema=schema,
        batching_enabled=args.batching,
        batching_max_messages=1000,
        batching_max_publish_delay_ms=10,
        compression_type=compression,
        chunking_enabled=args.chunking,
        send_timeout_millis=30000,
    )
    schema_kind = (args.schema or "bytes").split(":")[0]
    pending = []
    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        if spec.get("null"):
            content = None  # the Python client then sets null_value
        elif schema_kind in ("avro",):
            content = spec["value"]
        elif schema_kind == "json":
            content = schema._record_cls(**spec["value"])  # JsonSchema encodes Record objects only
        elif schema_kind == "string":
            content = spec["text"]
        elif spec.get("payload_file"):
            with open(spec["payload_file"], "rb") as f:
                content = f.read()
        else:
            content = base64.b64decode(spec.get("payload_b64", ""))
        kwargs = {}
        if spec.get("key") is not None:
            kwargs["partition_key"] = spec["key"]
        if spec.get("ordering_key") is not None:
            kwargs["ordering_key"] = spec["ordering_key"]
        if spec.get("properties"):
            kwargs["properties"] = spec["properties"]
        if spec.get("event_time") is not None:
            kwargs["event_timestamp"] = spec["event_time"]
        if args.batching:
            holder = {}
            producer.send_async(content, lambda res, mid, h=holder: h.update(res=res, mid=mid), **kwargs)
            pending.append(holder)
        else:
            mid = producer.send(content, **kwargs)
            print(json.dumps(id_json(mid)), flush=True)
    if pending:
        producer.flush()
        deadline = time.time() + 30
        while any("res" not in h for h in pending) and time.time() < deadline:
            time.sleep(0.01)
        for h in pending:
            if h.get("res") != pulsar.Result.Ok:
                raise SystemExit(f"send failed: {h.get('res')}")
            print(json.dumps(id_json(h["mid"])), flush=True)
    producer.close()
    client.close()


def consume(args):
    client = new_client(args)
    consumer = client.subscribe(
        args.topic,
        args.subscription,
        consumer_type=getattr(pulsar.ConsumerType, args.type),
        initial_position=pulsar.InitialPosition.Earliest if args.initial == "earliest" else pulsar.InitialPosition.Latest,
        schema=schema_from_arg(args.schema),
    )
    schema_kind = (args.schema or "bytes").split(":")[0]
    got = 0
    deadline = time.time() + args.timeout
    while got < args.n and time.time() < deadline:
        try:
            msg = consumer.receive(timeout_millis=500)
        except pulsar.Timeout:
            continue
        print(json.dumps(message_json(msg, schema_kind, args.digest_only)), flush=True)
        consumer.acknowledge(msg)
        got += 1
    consumer.close()
    client.close()
    if got < args.n:
        print(f"consumed {got} of {args.n} before the timeout", file=sys.stderr)
        sys.exit(3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-url", default="pulsar://localhost:6650")
    parser.add_argument("--token-env", help="name of the environment variable holding a JWT (token authentication)")
    parser.add_argument("--tls-ca", help="PEM file of the CA that signed the broker's certificate (pulsar+ssl://)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    p.add_argument("topic")
    p.add_argument("--producer-name")
    p.add_argument("--batching", action="store_true")
    p.add_argument("--chunking", action="store_true")
    p.add_argument("--compression", default="NONE", choices=["NONE", "LZ4", "ZLib", "ZSTD", "SNAPPY"])
    p.add_argument("--schema")
    c = sub.add_parser("consume")
    c.add_argument("topic")
    c.add_argument("-s", "--subscription", required=True)
    c.add_argument("-n", type=int, default=1)
    c.add_argument("--type", default="Exclusive", choices=["Exclusive", "Shared", "Failover", "KeyShared"])
    c.add_argument("--initial", default="earliest", choices=["earliest", "latest"])
    c.add_argument("--schema")
    c.add_argument("--timeout", type=float, default=30)
    c.add_argument("--digest-only", action="store_true", help="no payload_b64, only payload_size and payload_sha256")
    args = parser.parse_args()
    produce(args) if args.cmd == "produce" else consume(args)


if __name__ == "__main__":
    main()
