// Metadata v4–v8 (key 3): the brokers and each partition's leader.
// Request: topics [name string] (null: all), allow_auto_topic_creation bool,
//   v8+: include_cluster_authorized_operations bool, include_topic_authorized_operations bool.
// Response: throttle_time_ms int32, brokers [node_id int32, host string, port int32, rack string?],
//   cluster_id string?, controller_id int32, topics [error_code int16, name string, is_internal bool,
//   partitions [error_code int16, partition_index int32, leader_id int32, v7+: leader_epoch int32,
//   replica_nodes [int32], isr_nodes [int32], v5+: offline_replicas [int32]],
//   v8+: topic_authorized_operations int32], v8+: cluster_authorized_operations int32.
import type { WireReader, WireWriter } from './wire.js';

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface MetadataPartition {
  errorCode: number;
  partition: number;
  leader: number;
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  topics: MetadataTopic[];
}

export function writeMetadataRequest(w: WireWriter, version: number, topics: readonly string[]): void {
  w.array(topics, (w, t) => w.string(t)).int8(0);
  if (version >= 8) w.int8(0).int8(0);
}

export function parseMetadata(r: WireReader, version: number): MetadataResponse {
  r.int32(); // throttle_time_ms
  const brokers = r.array((r) => ({
    nodeId: r.int32(),
    host: r.string(),
    port: r.int32(),
    rack: r.nullableString(),
  }));
  r.nullableString(); // cluster_id
  r.int32(); // controller_id
  const ints = (r: WireReader) => r.array((r) => r.int32());
  const topics = r.array((r) => {
    const errorCode = r.int16();
    const name = r.string();
    r.bool(); // is_internal
    const partitions = r.array((r) => {
      const p: MetadataPartition = { errorCode: r.int16(), partition: r.int32(), leader: r.int32() };
      if (version >= 7) r.int32(); // leader_epoch
      ints(r);
      ints(r);
      if (version >= 5) ints(r);
      return p;
    });
    if (version >= 8) r.int32();
    return { errorCode, name, partitions };
  });
  return { brokers: brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })), topics };
}
