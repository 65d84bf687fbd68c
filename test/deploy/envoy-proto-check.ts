// Checks an Envoy v3 config (as parsed from YAML) against Envoy's own protos from
// @grpc/grpc-js-xds/deps: every field name must exist, every `typed_config` Any must name a
// loadable type and match it, scalars and enums must fit, at most one field per oneof.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const depsDir = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
// protobufjs carries google/protobuf/descriptor.proto (custom options extend it).
const includeDirs = [
  ...['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((d) => join(depsDir, d)),
  dirname(require.resolve('protobufjs/package.json')),
];
const envoyApiDir = join(depsDir, 'envoy-api');

const wrapperScalars: Record<string, string> = {
  DoubleValue: 'double',
  FloatValue: 'float',
  Int64Value: 'int64',
  UInt64Value: 'uint64',
  Int32Value: 'int32',
  UInt32Value: 'uint32',
  BoolValue: 'bool',
  StringValue: 'string',
  BytesValue: 'bytes',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collectAnyTypes(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) collectAnyTypes(v, into);
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '@type' && typeof v === 'string') into.add(v.slice(v.lastIndexOf('/') + 1));
      else collectAnyTypes(v, into);
    }
  }
  return into;
}

/** The .proto files of the package that defines `fullName` (envoy.x.y.v3.Type -> envoy/x/y/v3/*). */
function protoFilesFor(fullName: string): string[] {
  const dir = fullName.split('.').slice(0, -1).join('/');
  const abs = join(envoyApiDir, dir);
  return existsSync(abs)
    ? readdirSync(abs)
        .filter((f) => f.endsWith('.proto'))
        .map((f) => `${dir}/${f}`)
    : [];
}

function loadRoot(config: unknown, typeName: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    includeDirs.map((d) => join(d, target)).find(existsSync) ?? target;
  const files = [
    ...protoFilesFor(typeName),
    ...[...collectAnyTypes(config, new Set())].flatMap(protoFilesFor),
  ];
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function checkScalar(type: string, value: unknown, path: string, errors: string[]): void {
  const ok =
    type === 'string' || type === 'bytes'
      ? typeof value === 'string'
      : type === 'bool'
        ? typeof value === 'boolean'
        : type === 'double' || type === 'float'
          ? typeof value === 'number'
          : Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
  if (!ok) errors.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
}

function checkValue(
  root: protobuf.Root,
  field: protobuf.Field,
  value: unknown,
  path: string,
  errors: string[],
): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) checkMessage(root, resolved, value, path, errors);
  else if (resolved instanceof protobuf.Enum) {
    if (!(typeof value === 'string' ? value in resolved.values : Number.isInteger(value)))
      errors.push(
        `${path}: ${JSON.stringify(value)} is not a ${resolved.fullName.replace(/^\./, '')} value`,
      );
  } else checkScalar(field.type, value, path, errors);
}

function checkMessage(
  root: protobuf.Root,
  type: protobuf.Type,
  value: unknown,
  path: string,
  errors: string[],
): void {
  const name = type.fullName.replace(/^\./, '');
  if (name === 'google.protobuf.Any') {
    if (!isRecord(value) || typeof value['@type'] !== 'string')
      return void errors.push(`${path}: Any without @type`);
    const typeUrl = value['@type'];
    let target: protobuf.Type;
    try {
      target = root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    } catch {
      return void errors.push(`${path}: cannot resolve @type ${typeUrl}`);
    }
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '@type'));
    return checkMessage(root, target, rest, path, errors);
  }
  if (name === 'google.protobuf.Duration') {
    if (typeof value !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(value))
      errors.push(`${path}: bad Duration ${JSON.stringify(value)}`);
    return;
  }
  if (name === 'google.protobuf.Struct' || name === 'google.protobuf.Value') return;
  const wrapped = name.startsWith('google.protobuf.') ? wrapperScalars[type.name] : undefined;
  if (wrapped) return checkScalar(wrapped, value, path, errors);
  if (!isRecord(value)) return void errors.push(`${path}: expected a ${name} object`);

  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) byName.set(f.name, f).set(camel(f.name), f);
  const oneofsSet = new Map<string, string>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = byName.get(key);
    const at = `${path}.${key}`;
    if (!field) {
      errors.push(`${at}: unknown field in ${name}`);
      continue;
    }
    if (field.partOf) {
      const other = oneofsSet.get(field.partOf.name);
      if (other) errors.push(`${at}: oneof ${field.partOf.name} already set by ${other}`);
      oneofsSet.set(field.partOf.name, key);
    }
    if (fieldValue === null) continue;
    if (field instanceof protobuf.MapField) {
      if (!isRecord(fieldValue)) errors.push(`${at}: expected a map`);
      else
        for (const [k, v] of Object.entries(fieldValue))
          checkValue(root, field, v, `${at}[${k}]`, errors);
    } else if (field.repeated) {
      if (!Array.isArray(fieldValue)) errors.push(`${at}: expected a list`);
      else fieldValue.forEach((v, i) => checkValue(root, field, v, `${at}[${i}]`, errors));
    } else checkValue(root, field, fieldValue, at, errors);
  }
}

/** Errors found checking `config` as the Envoy message `typeName` (e.g. a RouteConfiguration). */
export function checkEnvoyMessage(config: unknown, typeName: string): string[] {
  const root = loadRoot(config, typeName);
  const errors: string[] = [];
  checkMessage(root, root.lookupType(typeName), config, typeName.split('.').pop()!, errors);
  return errors;
}

/** Errors found checking `config` as an envoy.config.bootstrap.v3.Bootstrap; empty when valid. */
export function checkEnvoyBootstrap(config: unknown): string[] {
  return checkEnvoyMessage(config, 'envoy.config.bootstrap.v3.Bootstrap');
}
