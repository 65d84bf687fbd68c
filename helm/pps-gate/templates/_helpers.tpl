{{/* Names, labels and the pps-gate container, shared by every template. */}}

{{- define "pps-gate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name, truncated to 63 characters (DNS label limit). */}}
{{- define "pps-gate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "pps-gate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pps-gate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pps-gate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pps-gate.labels" -}}
helm.sh/chart: {{ include "pps-gate.chart" . }}
{{ include "pps-gate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: authorizer
app.kubernetes.io/part-of: pps-gate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "pps-gate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pps-gate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The ConfigMap holding the issuers: an existing one, or the one this chart renders. */}}
{{- define "pps-gate.configMapName" -}}
{{- default (printf "%s-issuers" (include "pps-gate.fullname" .)) .Values.config.existingConfigMap }}
{{- end }}

{{- define "pps-gate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* In api mode the token is needed to watch the ConfigMap; in file mode it is never mounted. */}}
{{- define "pps-gate.automountToken" -}}
{{- eq .Values.config.source "api" }}
{{- end }}

{{- define "pps-gate.args" -}}
{{- if eq .Values.config.source "api" }}
- --configmap={{ .Release.Namespace }}/{{ include "pps-gate.configMapName" . }}
- --configmap-key={{ .Values.config.key }}
{{- else }}
- --config=/etc/pps-gate/{{ .Values.config.key }}
{{- end }}
- --grpc-port={{ .Values.ports.grpc }}
- --http-port={{ .Values.ports.http }}
- --admin-port={{ .Values.ports.admin }}
- --log-level={{ .Values.logLevel }}
{{- with .Values.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "pps-gate.probes" -}}
{{- $p := .Values.probes }}
{{- if eq $p.type "grpc" }}
startupProbe:
  grpc: { port: {{ .Values.ports.grpc }} }
  {{- omit $p.startup "initialDelaySeconds" | toYaml | nindent 2 }}
livenessProbe:
  grpc: { port: {{ .Values.ports.grpc }} }
  {{- toYaml $p.liveness | nindent 2 }}
readinessProbe:
  grpc: { port: {{ .Values.ports.grpc }}, service: {{ $p.readinessService | quote }} }
  {{- toYaml $p.readiness | nindent 2 }}
{{- else }}
startupProbe:
  httpGet: { path: /healthz, port: admin }
  {{- omit $p.startup "initialDelaySeconds" | toYaml | nindent 2 }}
livenessProbe:
  httpGet: { path: /healthz, port: admin }
  {{- toYaml $p.liveness | nindent 2 }}
readinessProbe:
  httpGet: { path: /readyz, port: admin }
  {{- toYaml $p.readiness | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The pps-gate container. The Deployment uses it; in the sidecar shape, add it to your own pod:
  containers:
    {{- include "pps-gate.sidecar.container" (index .Subcharts "pps-gate") | trim | nindent 4 }}
*/}}
{{- define "pps-gate.sidecar.container" -}}
{{- $loopback := and (eq .Values.shape "sidecar") (eq .Values.sidecar.host "127.0.0.1") }}
- name: pps-gate
  image: {{ include "pps-gate.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args:
    {{- include "pps-gate.args" . | trim | nindent 4 }}
  {{- if or (eq .Values.shape "sidecar") .Values.extraEnv }}
  env:
    {{- if eq .Values.shape "sidecar" }}
    - name: PPS_GATE_HOST
      value: {{ .Values.sidecar.host | quote }}
    {{- end }}
    {{- with .Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- if not $loopback }}
  ports:
    - { name: grpc, containerPort: {{ .Values.ports.grpc }}, protocol: TCP }
    - { name: http, containerPort: {{ .Values.ports.http }}, protocol: TCP }
    - { name: admin, containerPort: {{ .Values.ports.admin }}, protocol: TCP }
  {{- include "pps-gate.probes" . | trim | nindent 2 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  volumeMounts:
    - { name: pps-gate-tmp, mountPath: /tmp }
    {{- if eq .Values.config.source "file" }}
    # A directory mount, never subPath: kubelet swaps ..data atomically and pps-gate reloads.
    - { name: pps-gate-issuers, mountPath: /etc/pps-gate, readOnly: true }
    {{- end }}
    {{- with .Values.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* The pod volumes the container needs; in the sidecar shape add them to your pod too. */}}
{{- define "pps-gate.sidecar.volumes" -}}
- name: pps-gate-tmp
  emptyDir: { medium: Memory, sizeLimit: {{ .Values.tmpSizeLimit }} }
{{- if eq .Values.config.source "file" }}
- name: pps-gate-issuers
  configMap:
    name: {{ include "pps-gate.configMapName" . }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Fills labelSelector and matchLabelKeys into topology spread constraints that omit them. */}}
{{- define "pps-gate.topologySpreadConstraints" -}}
{{- $selector := include "pps-gate.selectorLabels" . | fromYaml }}
{{- range .Values.topologySpreadConstraints }}
{{- $c := deepCopy . }}
{{- if not (hasKey $c "labelSelector") }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" $selector) }}
{{- if not (hasKey $c "matchLabelKeys") }}
{{- $_ := set $c "matchLabelKeys" (list "pod-template-hash") }}
{{- end }}
{{- end }}
- {{ toYaml $c | nindent 2 | trim }}
{{- end }}
{{- end }}
