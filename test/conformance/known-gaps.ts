/**
 * Corpus documents that are not NEGATIVE but that asyncapi-gen rejects, each with the reason and
 * the diagnostic code that must be among its errors (so a gap cannot silently change cause).
 * The conformance test fails when a document listed here starts to pass: remove it then, so this
 * list only shrinks.
 */

export type GapKind =
  /** The official AsyncAPI parser rejects the document as written. */
  | 'parser-rejects'
  /** An http(s) `$ref`: tests run without network and without --allow-remote-refs. */
  | 'remote-ref'
  /** A `$ref` to a file or pointer that does not exist in the source repository. */
  | 'dangling-ref'
  /** Not valid YAML 1.2, though js-yaml (which the official parser uses) accepts it. */
  | 'yaml-syntax';

export interface KnownGap {
  readonly kind: GapKind;
  /** A diagnostic code that must be among the document's errors. */
  readonly code: string;
  readonly reason: string;
}

const parserRejects = (code: string, reason: string): KnownGap => ({ kind: 'parser-rejects', code, reason });
const remoteRef = (reason: string): KnownGap => ({ kind: 'remote-ref', code: 'remote-ref-refused', reason });
const danglingRef = (reason: string): KnownGap => ({ kind: 'dangling-ref', code: 'invalid-ref', reason });
const yamlSyntax = (reason: string): KnownGap => ({ kind: 'yaml-syntax', code: 'parse-yaml', reason });

/** Keyed by the document's path in MANIFEST.tsv. */
export const KNOWN_GAPS: Readonly<Record<string, KnownGap>> = {
  // --- the official parser rejects the document -------------------------------------------------
  'asyncapi-bundler/tests/specfiles/main.yaml': parserRejects(
    'asyncapi3-operation-messages-from-referred-channel',
    'operation messages $ref ./messages.yaml and #/components/messages instead of the channel\'s messages',
  ),
  'asyncapi-converter-js/test/input/2.6.0/for-3.0.0.yml': parserRejects(
    'asyncapi-document-resolved',
    'openIdConnect security scheme without in/name, and a message oneOf where a message is expected (also an http $ref)',
  ),
  'asyncapi-converter-js/test/output/3.0.0/from-2.6.0.yml': parserRejects(
    'asyncapi-document-resolved',
    'an openIdConnect security scheme the 3.0 schema does not accept (also an http $ref)',
  ),
  'asyncapi-parser-js@v1.18.1/test/good/zbos_mqtt-all-asyncapi.json': parserRejects(
    'asyncapi2-message-examples',
    'message examples do not match their payload schemas',
  ),
  'asyncapi-spec-json-schemas/test/fixtures/asyncapi.yml': parserRejects(
    'asyncapi-document-resolved',
    'schema-validation fixture with an unexpected property "dupa" in info',
  ),
  'asyncapi-spec@v2.0.0/examples/2.0.0/correlation-id.yml': parserRejects(
    'asyncapi2-server-security',
    'servers reference security schemes that components.securitySchemes does not define',
  ),
  'asyncapi-website@b1889b1/public/resources/casestudies/adeo/asyncapi.yaml': parserRejects(
    'asyncapi-document-resolved',
    'message objects with properties 2.4 does not allow (oneOf next to payload, correlationId in a binding)',
  ),
  'microcks/commons/util/src/test/resources/io/github/microcks/util/asyncapi/spring-cloud-stream-asyncapi-nulls.yaml': parserRejects(
    'asyncapi2-message-examples',
    'message examples do not match their payload schemas',
  ),
  'microcks/commons/util/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-avro-ref-asyncapi-oneof-2.3.yaml': parserRejects(
    'asyncapi-document-resolved',
    'Avro $refs with fragments (#/LoginUser) into an .avsc file, which the resolver cannot follow',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/api-maintenance.async-api-spec.yaml': parserRejects(
    'asyncapi-document-resolved',
    'messages with properties the 2.0 schema does not allow (payload and schemaFormat where they are not expected)',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-asyncapi-3.0-avro-ref.yaml': parserRejects(
    'asyncapi-document-resolved',
    'Microcks-style examples (a map per example) and an Avro $ref with a fragment (#/User) into an .avsc file',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-asyncapi-3.0-ref.yaml': parserRejects(
    'asyncapi-document-resolved',
    'Microcks-style examples (a map per example) that the 3.0 schema does not allow',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-asyncapi-3.0-reply.yaml': parserRejects(
    'asyncapi-document-resolved',
    'googlepubsub bindings without the required schemaSettings, and operation messages that are not the channel\'s',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-avro-asyncapi.yaml': parserRejects(
    'asyncapi-document-resolved',
    'an Avro record without a name, and Microcks-style examples (a map per example)',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-cloudevents-binary.yaml': parserRejects(
    'asyncapi-document-resolved',
    'an Avro record without a name, and Microcks-style examples (a map per example) (also an http $ref)',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-cloudevents-structured.yaml': parserRejects(
    'asyncapi-document-resolved',
    'Microcks-style examples (a map per example) and message properties in the wrong place (also an http $ref)',
  ),
  'microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/user-signedup-json-ref-asyncapi.yaml': parserRejects(
    'asyncapi-document-resolved',
    'Microcks-style examples (a map per example) that the 2.4 schema does not allow',
  ),
  'ruter-adt-doc/asyncapi/asyncapi.yml': parserRejects(
    'asyncapi-document-unresolved',
    'descriptions are $refs to Markdown files, which AsyncAPI does not allow there (and which are not YAML)',
  ),

  // --- http(s) $refs (no network in tests; --allow-remote-refs not given) -----------------------
  'asyncapi-generator/apps/generator/test/docs/apiwithref.json': remoteRef('payload schemas $ref https://schema.example.com/crm/shared.json'),
  'blueapi/docs/reference/asyncapi.yaml': remoteRef('payloads $ref https://raw.githubusercontent.com/bluesky/event-model/... JSON schemas'),
  'asyncapi-spec@v3.0.0/examples/adeo-kafka-request-reply-asyncapi.yml': remoteRef(
    'Avro payloads and Kafka keys $ref https://www.asyncapi.com/... .avsc files (unresolved, they also fail schema validation)',
  ),
  'asyncapi-website/public/resources/casestudies/adeo/asyncapi.yaml': remoteRef(
    'Avro payloads $ref https://www.asyncapi.com/... .avsc files (unresolved, they also fail schema validation)',
  ),
  'solace-tools-typescript/packages/ep-asyncapi/test/data/test-pass/acme-retail/AcmeRetail-Central-IT-Provider-TillSystem-v1.spec.yml': remoteRef(
    'messages $ref https://raw.githubusercontent.com/solace-iot-team/... (unresolved, they also fail schema validation)',
  ),

  // --- $refs to files or pointers that do not exist in the source repository ---------------------
  'asyncapi-parser-js@v1.18.1/test/good/asyncapi.yaml': danglingRef(
    'refs/refed.yaml is relative to the parser\'s test/ folder (its test runner\'s working directory), not to the document',
  ),
  'asyncapi-parser-js@v1.18.1/test/good/circular-refs.yaml': danglingRef(
    './good/circular-refs-file-ref.yaml is relative to the parser\'s test/ folder, not to the document',
  ),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-all.json': danglingRef(
    'schema-validation fixture: external-schema.json and reference-to-some-*-file.* do not exist, by design',
  ),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-asyncapi.json': danglingRef('external-schema.json does not exist, by design'),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-avro.json': danglingRef('reference-to-some-avro-file.avsc does not exist, by design'),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-json.json': danglingRef(
    'reference-to-some-json-schema-file.json does not exist, by design, and a local pointer into a missing schema',
  ),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-openapi.json': danglingRef('reference-to-some-openapi-file.json does not exist, by design'),
  'asyncapi-spec-json-schemas/test/docs/3.0.0/streetlights-unknown.json': danglingRef('external-schema.json does not exist, by design'),
  'deepgram-api-specs/asyncapi.yml': danglingRef('channel messages $ref #/components/messages/subpackage_agent/... entries the document does not define'),

  // --- not valid YAML 1.2 --------------------------------------------------------------------------
  'asyncapi-website/public/resources/casestudies/hdi/asyncapi.yaml': yamlSyntax(
    'a JSON flow mapping under components.schemas continues on lines less indented than its key',
  ),
};
