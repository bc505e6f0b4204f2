{{- define "granary.labels" -}}
app.kubernetes.io/name: granary
app.kubernetes.io/part-of: granary
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "granary.siloSelector" -}}
app.kubernetes.io/name: granary
app.kubernetes.io/component: silo
{{- end -}}
{{- define "granary.postgresSelector" -}}
app.kubernetes.io/name: granary
app.kubernetes.io/component: postgres
{{- end -}}
{{- define "granary.postgresSecret" -}}
{{- if eq .Values.postgres.mode "external" -}}{{ .Values.postgres.external.secretName }}{{- else -}}granary-postgres{{- end -}}
{{- end -}}
{{- define "granary.postgresKey" -}}
{{- if eq .Values.postgres.mode "external" -}}{{ .Values.postgres.external.key }}{{- else -}}connectionString{{- end -}}
{{- end -}}
