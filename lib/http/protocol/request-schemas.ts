// The request-body schemas of BoxLite's OpenAPI document
// (openapi/box.openapi.yaml, components.schemas) for every JSON body this
// server reads: create box, stop, exec, signal, resize, and the schemas they
// reference. They are the document's own, keyword for keyword, with only its
// annotations left out (description, example, default, deprecated), so a bound
// is read here rather than copied into a parser.
//
// Why a written-out table and not the document itself: the document is not
// in this repository nor in any npm package (BoxLite's sources are reference,
// not vendored). test/request-schemas-document.test.ts reads the document
// (BOXLITE_OPENAPI=/path/to/box.openapi.yaml) and fails on any difference in
// either direction: a bound, an enum, a required field, a property added or
// removed upstream. Last checked against boxlite-ai/boxlite commit 01c4e7d1.
//
// How the parsers (boxes/box-request.ts, exec/exec-request.ts) read it:
//   - every minimum/maximum/minLength/maxLength/pattern/enum/required here is
//     enforced, with a 400 invalid_argument naming the field and the bound;
//   - the known fields of a body are its `properties` (unknown ones are
//     refused, as `additionalProperties: false` says; the schemas without it
//     are held to the same rule, so a typo never silently changes what runs),
//     plus the few extra fields a BoxLite client or server uses, each listed
//     beside its parser with the evidence;
//   - JSON null counts as an absent field (clients differ on which they send),
//     which the document's types do not spell out.
// Bounds the document leaves open (memory_mib, disk_size_gb, timeouts) get this
// server's own ceilings, stated beside the parsers.

const schema = (name: string) => `#/components/schemas/${name}` as const;
const MODE = { type: 'string', enum: ['enabled', 'disabled'] } as const;
const STRINGS = { type: 'array', items: { type: 'string' } } as const;
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const REQUEST_SCHEMAS = {
  CreateBoxRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      advanced: { $ref: schema('CreateBoxAdvancedOptions') },
      name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]*$' },
      image: { type: 'string' },
      rootfs_path: { type: 'string' },
      cpus: { type: 'integer', minimum: 1, maximum: 32 },
      memory_mib: { type: 'integer', minimum: 128 },
      disk_size_gb: { type: 'integer', minimum: 1 },
      working_dir: { type: 'string' },
      env: STRING_MAP,
      entrypoint: STRINGS,
      cmd: STRINGS,
      user: { type: 'string' },
      volumes: { type: 'array', items: { $ref: schema('VolumeSpec') } },
      network: { $ref: schema('NetworkSpec') },
      secrets: { type: 'array', items: { $ref: schema('SecretSpec') } },
      detach: { type: 'boolean' },
      tty: { type: 'boolean' },
      auto_stop: { type: 'integer', minimum: 0 },
      auto_delete: { type: 'integer', minimum: 0 },
      auto_resume: { type: 'boolean' },
    },
  },
  CreateBoxAdvancedOptions: {
    type: 'object',
    additionalProperties: false,
    properties: { capabilities: { $ref: schema('CreateContainerCapabilities') } },
  },
  CreateContainerCapabilities: {
    type: 'object',
    additionalProperties: false,
    properties: { add: STRINGS, drop: STRINGS },
  },
  VolumeSpec: {
    type: 'object',
    additionalProperties: false,
    required: ['managed_volume', 'guest_path'],
    properties: {
      managed_volume: { type: 'string', minLength: 1 },
      guest_path: { type: 'string' },
      read_only: { type: 'boolean', enum: [false] },
    },
  },
  NetworkSpec: {
    type: 'object',
    additionalProperties: false,
    properties: {
      outbound: { $ref: schema('OutboundNetworkSpec') },
      inbound: { $ref: schema('InboundNetworkSpec') },
      mode: MODE,
      allow_net: STRINGS,
    },
  },
  OutboundNetworkSpec: {
    type: 'object',
    additionalProperties: false,
    required: ['mode'],
    properties: { mode: MODE, allow_net: STRINGS },
  },
  InboundNetworkSpec: {
    type: 'object',
    additionalProperties: false,
    required: ['mode'],
    properties: { mode: MODE, allow_net: STRINGS },
  },
  SecretSpec: {
    type: 'object',
    required: ['name', 'value'],
    properties: { name: { type: 'string' }, value: { type: 'string' }, hosts: STRINGS, placeholder: { type: 'string' } },
  },
  StopBoxRequest: {
    type: 'object',
    properties: { timeout_seconds: { type: 'number', minimum: 0 } },
  },
  ExecRequest: {
    type: 'object',
    required: ['command'],
    properties: {
      command: { type: 'string' },
      args: STRINGS,
      env: STRING_MAP,
      timeout_seconds: { type: 'number', minimum: 0.1 },
      working_dir: { type: 'string' },
      tty: { type: 'boolean' },
    },
  },
  SignalRequest: {
    type: 'object',
    required: ['signal'],
    properties: { signal: { type: 'integer' } },
  },
  ResizeRequest: {
    type: 'object',
    required: ['cols', 'rows'],
    properties: { cols: { type: 'integer', minimum: 1 }, rows: { type: 'integer', minimum: 1 } },
  },
} as const;

/** The operations whose JSON body this server reads, and the schema the document gives each body. */
export const REQUEST_BODY_SCHEMAS = {
  createBox: 'CreateBoxRequest',
  stopBox: 'StopBoxRequest',
  startExecution: 'ExecRequest',
  signalExecution: 'SignalRequest',
  resizeExecution: 'ResizeRequest',
} as const satisfies Record<string, keyof typeof REQUEST_SCHEMAS>;

/** A schema's property names plus `extra` (fields a BoxLite client or server uses that the document does not list). */
export function knownFields(name: keyof typeof REQUEST_SCHEMAS, extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...Object.keys(REQUEST_SCHEMAS[name].properties), ...extra]);
}
