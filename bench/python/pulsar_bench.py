"""The official Pulsar Python client (C++ core) measured the same way bench/pulsar.ts measures ours.

produce TOPIC N SIZE        batched async produce of N payloads of SIZE bytes; prints {"seconds": s}
consume TOPIC SUB N         receive+ack N messages from the earliest position; prints {"seconds": s}
latency TOPIC RATE SECONDS  sends at RATE msg/s, prints {"p50_ms":..,"p99_ms":..,"count":..}
"""
import json
import sys
import threading
import time

import pulsar


def client():
    return pulsar.Client("pulsar://localhost:6650", io_threads=1, message_listener_threads=1,
                         logger=pulsar.FileLogger(pulsar.LoggerLevel.Warn, "/dev/stderr"))


def produce(topic, n, size):
    c = client()
    p = c.create_producer(topic, batching_enabled=True, batching_max_messages=1000,
                          batching_max_allowed_size_in_bytes=128 * 1024, batching_max_publish_delay_ms=10,
                          max_pending_messages=10000, block_if_queue_full=True, send_timeout_millis=0)
    payload = b"x" * size
    done = threading.Event()
    count = [0]

    def sent(res, _mid):
        count[0] += 1
        if count[0] == n:
            done.set()

    start = time.perf_counter()
    for _ in range(n):
        p.send_async(payload, sent)
    p.flush()
    done.wait(600)
    seconds = time.perf_counter() - start
    p.close()
    c.close()
    print(json.dumps({"seconds": seconds}), flush=True)


def consume(topic, sub, n):
    c = client()
    s = c.subscribe(topic, sub, initial_position=pulsar.InitialPosition.Earliest, receiver_queue_size=1000)
    start = time.perf_counter()
    for _ in range(n):
        m = s.receive(30000)
        s.acknowledge(m)
    seconds = time.perf_counter() - start
    s.close()
    c.close()
    print(json.dumps({"seconds": seconds}), flush=True)


def latency(topic, rate, seconds):
    c = client()
    p = c.create_producer(topic, batching_enabled=True, batching_max_publish_delay_ms=1, send_timeout_millis=0)
    lat = []
    lock = threading.Lock()
    interval = 1.0 / rate
    total = int(rate * seconds)
    start = time.perf_counter()
    for i in range(total):
        target = start + i * interval
        now = time.perf_counter()
        if target > now:
            time.sleep(target - now)
        t0 = time.perf_counter()
        p.send_async(b"x" * 100, lambda res, mid, t0=t0: (lock.acquire(), lat.append(time.perf_counter() - t0), lock.release()))
    p.flush()
    deadline = time.time() + 30
    while len(lat) < total and time.time() < deadline:
        time.sleep(0.01)
    lat.sort()
    p.close()
    c.close()
    print(json.dumps({"p50_ms": lat[len(lat) // 2] * 1000, "p99_ms": lat[int(len(lat) * 0.99)] * 1000, "count": len(lat)}), flush=True)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "produce":
        produce(args[0], int(args[1]), int(args[2]))
    elif cmd == "consume":
        consume(args[0], args[1], int(args[2]))
    else:
        latency(args[0], int(args[1]), float(args[2]))
