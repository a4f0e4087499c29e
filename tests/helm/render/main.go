// helm-render: renders a Helm chart the way `helm template` does, for the
// chart's test (tests/helm_test.cmake) on machines where no `helm` binary can
// be installed.
//
//	helm-render -chart DIR [-f VALUES.yaml]... [-release NAME] [-namespace NS]
//	            [-strict] [-notes FILE] [-o FILE]
//
// What it reproduces of Helm 3 (helm.sh/helm/v3/pkg/engine and chartutil):
//   - Chart.yaml (apiVersion v2, name and a SemVer version are required);
//   - values.yaml coalesced with each -f file in order: maps merge key by key,
//     anything else (lists included) is replaced, a null deletes the key; the
//     values then go through JSON, as Helm's sigs.k8s.io/yaml does, so numbers
//     are float64 and maps map[string]interface{};
//   - every file of templates/ is parsed into one template set named
//     CHART/templates/FILE; files whose name starts with "_" are partials and
//     NOTES.txt is rendered apart (-notes), the others are manifests;
//   - .Values .Release .Chart .Capabilities .Template .Files, the sprig text
//     function map without env/expandenv, and Helm's own functions: include,
//     tpl, required, toYaml, fromYaml, fromYamlArray, toJson, fromJson,
//     fromJsonArray, lookup (always empty: there is no cluster);
//   - .Files: every chart file but Chart.yaml, values.yaml, templates/ and
//     charts/, with Get, GetBytes, Glob (path.Match, so "*" stays within a
//     directory and "**" is not supported), AsConfig, AsSecrets and Lines;
//   - missing keys render as "" (Helm's default), or are errors with -strict
//     (`helm lint --strict`);
//   - output: each manifest's documents, trimmed, empty ones left out, as
//     "---\n# Source: CHART/templates/FILE\n<document>\n".
//
// Build offline in GOPATH mode from Debian's -dev packages (sprig is imported
// by its directory path, which GOPATH mode resolves; sprig's own /v3 imports
// resolve through its go.mod):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o OUT main.go
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
	yaml2 "gopkg.in/yaml.v2"
	yaml3 "gopkg.in/yaml.v3"
)

// Metadata is Chart.yaml, with the field names templates use (.Chart.Name).
type Metadata struct {
	APIVersion   string            `yaml:"apiVersion"`
	Name         string            `yaml:"name"`
	Version      string            `yaml:"version"`
	KubeVersion  string            `yaml:"kubeVersion"`
	Description  string            `yaml:"description"`
	Type         string            `yaml:"type"`
	Keywords     []string          `yaml:"keywords"`
	Home         string            `yaml:"home"`
	Sources      []string          `yaml:"sources"`
	Icon         string            `yaml:"icon"`
	AppVersion   string            `yaml:"appVersion"`
	Deprecated   bool              `yaml:"deprecated"`
	Annotations  map[string]string `yaml:"annotations"`
	Maintainers  []interface{}     `yaml:"maintainers"`
	Dependencies []interface{}     `yaml:"dependencies"`
}

// Files is Helm's .Files: chart files by slash-separated path.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }

func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f Files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f Files) AsSecrets() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = base64.StdEncoding.EncodeToString(data)
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// APIVersions is .Capabilities.APIVersions: the built-in groups of a
// current cluster; a CRD's group (monitoring.coreos.com/v1) is not there.
type APIVersions []string

func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

// toYAML is Helm's toYaml: sigs.k8s.io/yaml (JSON, then yaml.v2), without
// the trailing newline.
func toYAML(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml2.Unmarshal(j, &generic); err != nil {
		return ""
	}
	out, err := yaml2.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

// viaJSON turns YAML-decoded data into what Helm's templates see: JSON types.
func viaJSON(v interface{}) (interface{}, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out interface{}
	err = json.Unmarshal(j, &out)
	return out, err
}

func parseYAML(data []byte) (interface{}, error) {
	var v interface{}
	if err := yaml3.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return viaJSON(v)
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	v, err := parseYAML([]byte(s))
	if err != nil {
		m["Error"] = err.Error()
		return m
	}
	if mm, ok := v.(map[string]interface{}); ok {
		return mm
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	v, err := parseYAML([]byte(s))
	if err != nil {
		return []interface{}{err.Error()}
	}
	if a, ok := v.([]interface{}); ok {
		return a
	}
	return []interface{}{}
}

func toJSON(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(j)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	var a []interface{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

// coalesce merges src over dst as Helm merges user values over a chart's.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := v.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

func readValues(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: values must be a map", file)
	}
	return m, nil
}

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

var semver = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

func run() error {
	var (
		chartDir  = flag.String("chart", "", "chart directory")
		release   = flag.String("release", "release-name", "release name")
		namespace = flag.String("namespace", "default", "release namespace")
		strict    = flag.Bool("strict", false, "a missing key is an error (helm lint --strict)")
		notesOut  = flag.String("notes", "", "also render NOTES.txt into this file")
		out       = flag.String("o", "", "output file (default stdout)")
		values    valueFiles
	)
	flag.Var(&values, "f", "values file (repeatable; later ones win)")
	flag.Parse()
	if *chartDir == "" || flag.NArg() > 0 {
		return errors.New("usage: helm-render -chart DIR [-f VALUES]... [-release NAME] [-namespace NS] [-strict] [-notes FILE] [-o FILE]")
	}
	if !dnsLabel.MatchString(*release) || len(*release) > 53 {
		return fmt.Errorf("release name %q: must be a DNS label of at most 53 characters", *release)
	}

	// Chart.yaml
	raw, err := os.ReadFile(filepath.Join(*chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	var meta Metadata
	dec := yaml3.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		return fmt.Errorf("Chart.yaml: %w", err)
	}
	switch {
	case meta.APIVersion != "v2":
		return fmt.Errorf("Chart.yaml: apiVersion must be v2, not %q", meta.APIVersion)
	case !dnsLabel.MatchString(meta.Name):
		return fmt.Errorf("Chart.yaml: name %q is not a valid chart name", meta.Name)
	case !semver.MatchString(meta.Version):
		return fmt.Errorf("Chart.yaml: version %q is not SemVer 2", meta.Version)
	case meta.Type != "" && meta.Type != "application":
		return fmt.Errorf("Chart.yaml: type %q: only application charts render", meta.Type)
	}
	if base := filepath.Base(filepath.Clean(*chartDir)); base != meta.Name {
		return fmt.Errorf("Chart.yaml: name %q differs from the chart's directory %q", meta.Name, base)
	}

	// Values.
	vals, err := readValues(filepath.Join(*chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range values {
		user, err := readValues(f)
		if err != nil {
			return err
		}
		vals = coalesce(vals, user)
	}

	// Templates and files.
	files := Files{}
	templates := map[string]string{}
	err = filepath.Walk(*chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(*chartDir, p)
		rel = filepath.ToSlash(rel)
		if info.IsDir() {
			if rel == "charts" {
				return errors.New("subcharts (charts/) are not supported")
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[meta.Name+"/"+rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || rel == ".helmignore":
		default:
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(templates) == 0 {
		return errors.New("the chart has no templates")
	}

	root := template.New("gotpl")
	if *strict {
		root.Option("missingkey=error")
	} else {
		root.Option("missingkey=zero")
	}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 1000 {
			return "", fmt.Errorf("include %q: too deeply nested", name)
		}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["fromJsonArray"] = fromJSONArray
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	root.Funcs(funcs)

	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(templates[name]); err != nil {
			return fmt.Errorf("parse error: %w", err)
		}
	}

	top := map[string]interface{}{
		"Values": vals,
		"Release": map[string]interface{}{
			"Name": *release, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": meta,
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30", "GitVersion": "v1.30.0"},
			"APIVersions": APIVersions{"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1",
				"rbac.authorization.k8s.io/v1", "autoscaling/v2"},
			"HelmVersion": map[string]interface{}{"Version": "v3.15.0"},
		},
		"Files": files,
	}
	render := func(name string) (string, error) {
		ctx := map[string]interface{}{}
		for k, v := range top {
			ctx[k] = v
		}
		ctx["Template"] = map[string]interface{}{"Name": name, "BasePath": meta.Name + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, ctx); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}

	var manifest strings.Builder
	notes := meta.Name + "/templates/NOTES.txt"
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || name == notes {
			continue
		}
		text, err := render(name)
		if err != nil {
			return fmt.Errorf("render error: %w", err)
		}
		for _, doc := range docSeparator.Split(text, -1) {
			if doc = strings.TrimSpace(doc); doc == "" {
				continue
			}
			fmt.Fprintf(&manifest, "---\n# Source: %s\n%s\n", name, doc)
		}
	}
	if *notesOut != "" {
		text := ""
		if _, ok := templates[notes]; ok {
			if text, err = render(notes); err != nil {
				return fmt.Errorf("render error: %w", err)
			}
		}
		if err := os.WriteFile(*notesOut, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = os.Stdout.WriteString(manifest.String())
		return err
	}
	return os.WriteFile(*out, []byte(manifest.String()), 0o644)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "helm-render: Error:", err)
		os.Exit(1)
	}
}
