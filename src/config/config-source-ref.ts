// Where the config comes from, as the command line names it: a file path, or a ConfigMap given as
// NAMESPACE/NAME plus the data key holding the config.

export interface ConfigMapRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

export type ConfigSourceRef =
  { readonly kind: 'file'; readonly path: string } | ({ readonly kind: 'api' } & ConfigMapRef);

// RFC 1123 DNS labels/subdomains, as Kubernetes requires for namespaces and ConfigMap names.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// ConfigMap data keys: [-._a-zA-Z0-9]+, at most 253.
const KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Parses "NAMESPACE/NAME"; returns an error message instead of throwing. */
export function parseConfigMapRef(text: string, key: string): ConfigMapRef | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `"${text}" is not NAMESPACE/NAME`;
  const [namespace = '', name = ''] = parts;
  if (!NAMESPACE.test(namespace))
    return `"${namespace}" is not a valid namespace (lower-case letters, digits and -)`;
  if (!NAME.test(name))
    return `"${name}" is not a valid ConfigMap name (lower-case letters, digits, - and .)`;
  if (!KEY.test(key) || key === '.' || key === '..')
    return `"${key}" is not a valid ConfigMap key (letters, digits, - _ .)`;
  return { namespace, name, key };
}
