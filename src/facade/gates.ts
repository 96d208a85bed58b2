// Per-topic bookkeeping for route changes: requests in flight (so a flip can wait for them) and a gate
// that holds new requests until the switch is complete. A gate that fails stays, and is tried again by the
// next request: nothing is written to the new side before it is ready.
export class TopicGates {
  private readonly inflight = new Map<string, { count: number; idle: (() => void)[] }>();
  private readonly gates = new Map<string, { run: () => Promise<void>; running?: Promise<void> }>();

  /** Holds new requests of a topic until `run` succeeded. Replaces a gate not yet passed. */
  close(topic: string, run: () => Promise<void>): Promise<void> {
    const gate = { run };
    this.gates.set(topic, gate);
    return this.pass(topic);
  }

  /** Resolves when the topic's gate (if any) is open; rejects when opening it failed this time. */
  async pass(topic: string): Promise<void> {
    for (;;) {
      const gate = this.gates.get(topic);
      if (!gate) return;
      gate.running ??= gate.run().then(
        () => {
          if (this.gates.get(topic) === gate) this.gates.delete(topic);
        },
        (err: unknown) => {
          gate.running = undefined;
          throw err;
        },
      );
      await gate.running;
    }
  }

  /** Counts a request on a topic until the returned function is called. */
  enter(topic: string): () => void {
    const e = this.inflight.get(topic) ?? { count: 0, idle: [] };
    e.count++;
    this.inflight.set(topic, e);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      e.count--;
      if (e.count === 0) {
        this.inflight.delete(topic);
        for (const w of e.idle.splice(0)) w();
      }
    };
  }

  /** Resolves when no request of the topic is in flight. */
  idle(topic: string): Promise<void> {
    const e = this.inflight.get(topic);
    if (!e) return Promise.resolve();
    return new Promise((resolve) => e.idle.push(resolve));
  }
}
