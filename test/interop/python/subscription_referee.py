"""Interop referee for offset translation: the official Pulsar Python client (C++ core) consumes an existing
durable subscription that the gateway positioned, and reports what it receives.

consume: subscribes to TOPIC (a partitioned topic: every partition) with SUBSCRIPTION as it stands on the
  broker, receives until nothing arrives for --idle seconds (or -n messages), acknowledging each one unless
  --no-ack, and prints one JSON line per message: {"partition", "offset" (k2p.offset), "message_id",
  "batch_index"}.
"""
import argparse
import json
import sys

import pulsar


def consume(args):
    client = pulsar.Client(args.service_url, operation_timeout_seconds=30,
                           logger=pulsar.FileLogger(pulsar.LoggerLevel.Warn, "/dev/stderr"))
    consumer = client.subscribe(
        args.topic,
        args.subscription,
        consumer_type=getattr(pulsar.ConsumerType, args.type),
        # The subscription exists: its cursor decides where delivery starts, not this.
        initial_position=pulsar.InitialPosition.Latest,
        receiver_queue_size=1000,
    )
    received = 0
    while args.n <= 0 or received < args.n:
        try:
            msg = consumer.receive(timeout_millis=int(args.idle * 1000))
        except pulsar.Timeout:
            break
        mid = msg.message_id()
        props = msg.properties()
        print(json.dumps({
            "partition": mid.partition(),
            "offset": int(props["k2p.offset"]) if "k2p.offset" in props else None,
            "message_id": str(mid),
            "batch_index": mid.batch_index(),
        }), flush=True)
        if not args.no_ack:
            consumer.acknowledge(msg)
        received += 1
    consumer.close()
    client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--service-url", default="pulsar://localhost:6650")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("consume")
    c.add_argument("topic")
    c.add_argument("-s", "--subscription", required=True)
    c.add_argument("--type", default="Failover", choices=["Exclusive", "Shared", "Failover", "KeyShared"])
    c.add_argument("-n", type=int, default=0, help="stop after this many messages (0: until idle)")
    c.add_argument("--idle", type=float, default=5.0, help="seconds without a message that end the run")
    c.add_argument("--no-ack", action="store_true")
    args = parser.parse_args()
    if args.command == "consume":
        consume(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
