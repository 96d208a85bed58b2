"""Interop referee for schema translation: confluent-kafka's JSON Schema and Protobuf serializers (writing to Kafka
through the Schema Registry) and the official Pulsar Python client's typed Protobuf reader.

produce-json TOPIC --schema '<JSON Schema>': one {"key": .., "value": {...}} per stdin line, JSONSerializer
  (registers under <topic>-value), prints {"partition", "offset"} per delivered record.
produce-protobuf TOPIC --package P --version 1|2: the same with ProtobufSerializer for message P.Order, built at
  run time from a FileDescriptorProto (no protoc): file "order.proto" holds message Header first and Order
  second, so Order's message index is [1]; version 2 adds `string currency = 7`.
consume-protobuf TOPIC -s SUB -n N --package P --version 1|2: the Pulsar Python client with
  ProtobufNativeSchema(Order) prints {"value": MessageToDict, "schema_version", "key"} per message.
consume-json TOPIC -s SUB -n N --class-schema '<avro record json>': JsonSchema with a Record class generated
  from the given Avro-form record (the form Pulsar's clients use for JSON schemas), prints the values.

stdout carries JSON lines only.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def order_class(package, version):
    """P.Order as a Python class, from a FileDescriptorProto built here (one pool per version)."""
    fdp = descriptor_pb2.FileDescriptorProto(name="order.proto", package=package, syntax="proto3")
    header = fdp.message_type.add(name="Header")
    header.field.add(name="source", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                     label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    status = fdp.enum_type.add(name="Status")
    for i, name in enumerate(["NEW", "PAID", "SHIPPED"]):
        status.value.add(name=name, number=i)
    order = fdp.message_type.add(name="Order")
    T = descriptor_pb2.FieldDescriptorProto
    fields = [("id", 1, T.TYPE_INT64, T.LABEL_OPTIONAL, None), ("customer", 2, T.TYPE_STRING, T.LABEL_OPTIONAL, None),
              ("amount", 3, T.TYPE_DOUBLE, T.LABEL_OPTIONAL, None), ("tags", 4, T.TYPE_STRING, T.LABEL_REPEATED, None),
              ("status", 5, T.TYPE_ENUM, T.LABEL_OPTIONAL, f".{package}.Status"),
              ("header", 6, T.TYPE_MESSAGE, T.LABEL_OPTIONAL, f".{package}.Header")]
    if version >= 2:
        fields.append(("currency", 7, T.TYPE_STRING, T.LABEL_OPTIONAL, None))
    for name, number, type_, label, type_name in fields:
        f = order.field.add(name=name, number=number, type=type_, label=label)
        if type_name:
            f.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.Order"))


def producer(args):
    return Producer({"bootstrap.servers": args.bootstrap_servers, "acks": "all", "enable.idempotence": True, "linger.ms": 5})


def produce(args, serialize):
    p = producer(args)
    keys = StringSerializer("utf_8")
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            print(json.dumps({"partition": msg.partition(), "offset": msg.offset()}), flush=True)

    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        value = serialize(spec["value"], SerializationContext(args.topic, MessageField.VALUE))
        key = spec.get("key")
        p.produce(args.topic, key=keys(key) if key is not None else None, value=value, on_delivery=on_delivery)
        p.poll(0)
    if p.flush(60):
        errors.append("records not delivered within 60 s")
    if errors:
        raise SystemExit("delivery failed: " + "; ".join(errors[:5]))


def produce_json(args, registry):
    from confluent_kafka.schema_registry.json_schema import JSONSerializer
    serializer = JSONSerializer(args.schema, registry, conf={"auto.register.schemas": True})
    produce(args, serializer)


def produce_protobuf(args, registry):
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
    cls = order_class(args.package, args.version)
    serializer = ProtobufSerializer(cls, registry, conf={"auto.register.schemas": True, "use.deprecated.format": False})

    def serialize(value, ctx):
        return serializer(json_format.ParseDict(value, cls()), ctx)

    produce(args, serialize)


def consume(args, schema, to_json):
    import pulsar
    client = pulsar.Client(args.service_url, operation_timeout_seconds=30,
                           logger=pulsar.FileLogger(pulsar.LoggerLevel.Warn, "/dev/stderr"))
    consumer = client.subscribe(args.topic, args.subscription, initial_position=pulsar.InitialPosition.Earliest,
                                schema=schema)
    got = 0
    deadline = time.time() + args.timeout
    while got < args.n and time.time() < deadline:
        try:
            msg = consumer.receive(timeout_millis=500)
        except pulsar.Timeout:
            continue
        print(json.dumps({"value": to_json(msg.value()), "key": msg.partition_key() or None,
                          "schema_version": msg._message.int_schema_version()}), flush=True)
        consumer.acknowledge(msg)
        got += 1
    consumer.close()
    client.close()
    if got < args.n:
        raise SystemExit(f"consumed {got} of {args.n} before the timeout")


def consume_protobuf(args):
    from pulsar.schema import ProtobufNativeSchema
    cls = order_class(args.package, args.version)
    consume(args, ProtobufNativeSchema(cls),
            lambda v: json_format.MessageToDict(v, preserving_proto_field_name=True))


def consume_json(args):
    import pulsar
    from pulsar.schema import JsonSchema, Record
    avro = json.loads(args.class_schema)
    types = {"string": pulsar.schema.String, "long": pulsar.schema.Long, "double": pulsar.schema.Double,
             "boolean": pulsar.schema.Boolean, "int": pulsar.schema.Integer}

    def field(f):
        t = f["type"]
        if isinstance(t, list):
            return types[[x for x in t if x != "null"][0]](required=False)
        return types[t](required=True)

    fields = {f["name"]: field(f) for f in avro["fields"]}
    fields["_avro_namespace"] = avro.get("namespace")
    cls = type(avro["name"], (Record,), fields)
    consume(args, JsonSchema(cls), lambda v: {k: x for k, x in v.__dict__.items() if not k.startswith("_")})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--registry-url", default="http://localhost:8081/apis/ccompat/v7")
    parser.add_argument("--service-url", default="pulsar://localhost:6650")
    sub = parser.add_subparsers(dest="command", required=True)
    j = sub.add_parser("produce-json")
    j.add_argument("topic")
    j.add_argument("--schema", required=True)
    p = sub.add_parser("produce-protobuf")
    p.add_argument("topic")
    p.add_argument("--package", required=True)
    p.add_argument("--version", type=int, default=1)
    for name in ("consume-protobuf", "consume-json"):
        c = sub.add_parser(name)
        c.add_argument("topic")
        c.add_argument("-s", "--subscription", required=True)
        c.add_argument("-n", type=int, required=True)
        c.add_argument("--timeout", type=float, default=60)
        if name == "consume-protobuf":
            c.add_argument("--package", required=True)
            c.add_argument("--version", type=int, default=2)
        else:
            c.add_argument("--class-schema", required=True)
    args = parser.parse_args()
    if args.command == "produce-json":
        produce_json(args, SchemaRegistryClient({"url": args.registry_url}))
    elif args.command == "produce-protobuf":
        produce_protobuf(args, SchemaRegistryClient({"url": args.registry_url}))
    elif args.command == "consume-protobuf":
        consume_protobuf(args)
    else:
        consume_json(args)


if __name__ == "__main__":
    main()
