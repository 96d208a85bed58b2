// Subject name strategies of Confluent's serializers: under which registry subject a topic's schemas live.
//   TopicName:       <topic>-key | <topic>-value            (the default)
//   RecordName:      <record full name>
//   TopicRecordName: <topic>-<record full name>
export const SUBJECT_STRATEGIES = ['TopicName', 'RecordName', 'TopicRecordName'] as const;
export type SubjectStrategy = (typeof SUBJECT_STRATEGIES)[number];

export function subjectName(strategy: SubjectStrategy, topic: string, isKey: boolean, recordName?: string): string | undefined {
  if (strategy === 'TopicName') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (recordName === undefined) return undefined; // only known once a record's schema is
  return strategy === 'RecordName' ? recordName : `${topic}-${recordName}`;
}

/** The subjects of `all` that belong to a topic under a strategy (for plans: RecordName cannot say). */
export function topicSubjects(strategy: SubjectStrategy, topic: string, all: readonly string[]): string[] {
  if (strategy === 'TopicName') return all.filter((s) => s === `${topic}-value` || s === `${topic}-key`);
  if (strategy === 'TopicRecordName') return all.filter((s) => s.startsWith(`${topic}-`) && s !== `${topic}-value` && s !== `${topic}-key`);
  return [];
}
