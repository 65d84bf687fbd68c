// Offline Kubernetes validation: kubernetes-models' JSON schemas for types and required fields,
// plus a round trip through client-node's ObjectSerializer to catch unknown (typo'd) fields,
// which the schemas alone accept.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { K8sObject } from './helm-cli.js';

interface ValidatableModel {
  validate(): void;
}
type ModelConstructor = new (data: unknown) => ValidatableModel;

/** Kinds that neither package models; tests check their shape by hand. */
export const kindsWithoutSchema = new Set([
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
]);

async function loadModel(apiVersion: string, kind: string): Promise<ModelConstructor | undefined> {
  const modulePath = apiVersion.includes('.istio.io/')
    ? `@kubernetes-models/istio/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  try {
    const mod = (await import(modulePath)) as Record<string, ModelConstructor | undefined>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

/** client-node type name, e.g. apps/v1 Deployment -> V1Deployment, autoscaling/v2 -> V2... */
function serializerType(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop()!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Paths present in `raw` but dropped by the typed round trip. */
function droppedPaths(raw: unknown, typed: unknown, path: string): string[] {
  if (Array.isArray(raw)) {
    if (!Array.isArray(typed)) return [path];
    return raw.flatMap((item, i) => droppedPaths(item, typed[i], `${path}/${i}`));
  }
  if (!isRecord(raw)) return [];
  if (!isRecord(typed)) return [path];
  return Object.entries(raw).flatMap(([key, value]) => {
    if (value === null || value === undefined) return [];
    if (!(key in typed)) return [`${path}/${key}`];
    return droppedPaths(value, typed[key], `${path}/${key}`);
  });
}

/** Field paths that client-node's typed model does not know (empty when all are known). */
export function unknownFields(obj: K8sObject): string[] {
  const type = serializerType(obj.apiVersion, obj.kind);
  // An unknown type name round-trips untouched; prove the type exists before trusting a clean diff.
  const probe = ObjectSerializer.serialize(
    ObjectSerializer.deserialize({ notAField: 1 }, type),
    type,
  ) as unknown;
  if (isRecord(probe) && 'notAField' in probe) return [`(client-node has no model ${type})`];
  const roundTrip = ObjectSerializer.serialize(
    ObjectSerializer.deserialize(obj, type),
    type,
  ) as unknown;
  return droppedPaths(obj, roundTrip, '');
}

/** Schema errors for one manifest; an empty list means it is valid. */
export async function validateManifest(obj: K8sObject): Promise<string[]> {
  const id = `${obj.apiVersion}/${obj.kind}`;
  const Model = await loadModel(obj.apiVersion, obj.kind);
  if (!Model) return [`no schema for ${id}`];
  try {
    new Model(obj).validate();
  } catch (error) {
    return [`${id} ${obj.metadata.name}: ${(error as Error).message}`];
  }
  // client-node models only built-in kinds; CRDs (Istio) are checked by key in the tests.
  if (obj.apiVersion.includes('.istio.io/')) return [];
  return unknownFields(obj).map((path) => `${id} ${obj.metadata.name}: unknown field ${path}`);
}
