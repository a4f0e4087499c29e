{{/*
Names and labels.
*/}}
{{- define "runbook-responder.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "runbook-responder.fullname" -}}
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

{{- define "runbook-responder.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "runbook-responder.selectorLabels" -}}
app.kubernetes.io/name: {{ include "runbook-responder.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "runbook-responder.labels" -}}
helm.sh/chart: {{ include "runbook-responder.chart" . }}
{{ include "runbook-responder.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "runbook-responder.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "runbook-responder.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "runbook-responder.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "runbook-responder.pvcName" -}}
{{- default (printf "%s-state" (include "runbook-responder.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/*
Paths in the pod. The config file is the container's --config argument.
*/}}
{{- define "runbook-responder.configDir" -}}/etc/runbook-responder{{- end }}
{{- define "runbook-responder.secretsDir" -}}/etc/runbook-responder/secrets{{- end }}
{{- define "runbook-responder.stateMount" -}}/var/lib/runbook-responder{{- end }}

{{/*
The secret files: a JSON list of {secret, key, path} (path relative to the
secrets directory), one per file the config names. The Deployment projects
them into one volume; the config refers to them by full path. The list is
built once, here, so both always agree.
*/}}
{{- define "runbook-responder.secretFiles" -}}
{{- $files := list }}
{{- $safe := "^[A-Za-z0-9][-A-Za-z0-9_.]*$" }}
{{- $auth := .Values.auth }}
{{- if not $auth.existingSecret }}
{{- fail "auth.existingSecret is required: the responder listens on a non-loopback address and refuses to start without a webhook token (see helm/README.md)" }}
{{- end }}
{{- $files = append $files (dict "secret" $auth.existingSecret "key" (required "auth.tokenKey is required" $auth.tokenKey) "path" "auth/token") }}
{{- if $auth.readToken.existingSecret }}
{{- $files = append $files (dict "secret" $auth.readToken.existingSecret "key" (required "auth.readToken.key is required" $auth.readToken.key) "path" "auth/read-token") }}
{{- end }}
{{- range $kind := list "clusters" "notify" }}
{{- range $entry := index $.Values.config $kind }}
{{- $name := required (printf "config.%s: every entry needs a name" $kind) (get $entry "name") }}
{{- if not (regexMatch $safe $name) }}
{{- fail (printf "config.%s: name %q: use letters, digits, '-', '_' and '.' (it names a directory of secret files)" $kind $name) }}
{{- end }}
{{- range $option, $ref := (get $entry "secretFiles" | default dict) }}
{{- if not (regexMatch "^[a-z][a-z0-9_]*$" $option) }}
{{- fail (printf "config.%s %s: secretFiles option %q is not an option name" $kind $name $option) }}
{{- end }}
{{- if not (kindIs "map" $ref) }}
{{- fail (printf "config.%s %s: secretFiles.%s must be {secretName, key}" $kind $name $option) }}
{{- end }}
{{- $secret := required (printf "config.%s %s: secretFiles.%s.secretName is required" $kind $name $option) (get $ref "secretName") }}
{{- $key := required (printf "config.%s %s: secretFiles.%s.key is required" $kind $name $option) (get $ref "key") }}
{{- $files = append $files (dict "secret" $secret "key" $key "path" (printf "%s/%s/%s" $kind $name $option)) }}
{{- end }}
{{- end }}
{{- end }}
{{- $ssh := .Values.config.ssh }}
{{- if $ssh.existingSecret }}
{{- $files = append $files (dict "secret" $ssh.existingSecret "key" (required "config.ssh.privateKeyKey is required" $ssh.privateKeyKey) "path" "ssh/id_key") }}
{{- $files = append $files (dict "secret" $ssh.existingSecret "key" (required "config.ssh.knownHostsKey is required" $ssh.knownHostsKey) "path" "ssh/known_hosts") }}
{{- end }}
{{- toJson (dict "files" $files) }}
{{- end }}

{{/*
config.yaml, as YAML text.
*/}}
{{- define "runbook-responder.config" -}}
{{- $secrets := include "runbook-responder.secretsDir" . }}
{{- $settings := deepCopy .Values.config.settings }}
{{- range $owned := list "listen" "auth" "rules" "clusters" "notify" "external_url" }}
{{- if hasKey $settings $owned }}
{{- fail (printf "config.settings.%s: the chart writes this key; see values.yaml (config, auth, rules)" $owned) }}
{{- end }}
{{- end }}
{{- $config := $settings }}
{{- $_ := set $config "listen" (printf "0.0.0.0:%d" (int .Values.containerPort)) }}
{{- $auth := dict "bearer_token_file" (printf "%s/auth/token" $secrets) }}
{{- if .Values.auth.readToken.existingSecret }}
{{- $_ := set $auth "read_token_file" (printf "%s/auth/read-token" $secrets) }}
{{- end }}
{{- $_ := set $config "auth" $auth }}
{{- $_ := set $config "rules" (list (printf "%s/rules/*.yaml" (include "runbook-responder.configDir" .))) }}
{{- $state := deepCopy (get $settings "state" | default dict) }}
{{- if hasKey $state "dir" }}
{{- fail "config.settings.state.dir: the chart sets the state directory (the persistence volume)" }}
{{- end }}
{{- $_ := set $state "dir" (printf "%s/state" (include "runbook-responder.stateMount" .)) }}
{{- $_ := set $config "state" $state }}
{{- if .Values.config.externalUrl }}
{{- $_ := set $config "external_url" .Values.config.externalUrl }}
{{- end }}
{{- range $kind := list "clusters" "notify" }}
{{- $entries := list }}
{{- range $entry := index $.Values.config $kind }}
{{- $out := omit $entry "secretFiles" }}
{{- range $option, $ref := (get $entry "secretFiles" | default dict) }}
{{- $key := printf "%s_file" $option }}
{{- if or (hasKey $entry $option) (hasKey $entry $key) (hasKey $entry (printf "%s_env" $option)) }}
{{- fail (printf "config.%s %s: %s is given both in secretFiles and directly" $kind (get $entry "name") $option) }}
{{- end }}
{{- $_ := set $out $key (printf "%s/%s/%s/%s" $secrets $kind (get $entry "name") $option) }}
{{- end }}
{{- $entries = append $entries $out }}
{{- end }}
{{- $_ := set $config $kind $entries }}
{{- end }}
{{- if .Values.config.ssh.existingSecret }}
{{- $ssh := deepCopy (get $settings "ssh" | default dict) }}
{{- if or (hasKey $ssh "key_file") (hasKey $ssh "known_hosts") }}
{{- fail "config.settings.ssh: key_file and known_hosts come from config.ssh.existingSecret; set one or the other" }}
{{- end }}
{{- $_ := set $ssh "key_file" (printf "%s/ssh/id_key" $secrets) }}
{{- $_ := set $ssh "known_hosts" (printf "%s/ssh/known_hosts" $secrets) }}
{{- $_ := set $config "ssh" $ssh }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/*
The rule files: a dict of file name -> content, as JSON (lossless: a
toYaml/fromYaml round trip drops the last file's final newline). The shipped
ones are the chart's rules/*.yaml (copies of the repository's rules/), read
verbatim.
*/}}
{{- define "runbook-responder.ruleFiles" -}}
{{- $rules := dict }}
{{- if .Values.rules.shipped }}
{{- range $path, $content := .Files.Glob "rules/*.yaml" }}
{{- $_ := set $rules (base $path) ($.Files.Get $path) }}
{{- end }}
{{- end }}
{{- range $name, $content := .Values.rules.files }}
{{- if not (regexMatch "^[A-Za-z0-9][-A-Za-z0-9_.]*\\.ya?ml$" $name) }}
{{- fail (printf "rules.files: %q: a file name ending in .yaml or .yml, of letters, digits, '-', '_' and '.'" $name) }}
{{- end }}
{{- if not (kindIs "string" $content) }}
{{- fail (printf "rules.files.%s: the file's content, as a string (use a | block)" $name) }}
{{- end }}
{{- $_ := set $rules $name $content }}
{{- end }}
{{- if not $rules }}
{{- fail "no rule files: set rules.shipped or give rules.files" }}
{{- end }}
{{- toJson $rules }}
{{- end }}
