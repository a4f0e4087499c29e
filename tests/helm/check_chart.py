#!/usr/bin/env python3
"""Checks the manifests helm-render made of helm/runbook-responder.

    check_chart.py manifests SCENARIO RENDERED --source-dir DIR
        The manifests parse as YAML and hold what the chart promises (README
        helm/README.md): kinds and names, the pod's security settings, probes,
        resources, arguments, the checksum annotation, the config and rules
        mounted, every secret file the config names mounted from a Secret,
        the state volume, and the optional objects present only when enabled.
        SCENARIO says what to expect: default, full (tests/helm/values-full.yaml),
        existing-claim, ephemeral.

    check_chart.py config RENDERED --responder BIN --work DIR
        Writes the rendered config.yaml and rule files under DIR (paths in the
        pod moved under DIR), a stand-in for every secret file, and runs
        `runbook-responder check` on them: the responder accepts what the chart
        writes.

Run by tests/helm_test.cmake. Exits 1 with every failure listed.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

import yaml

CONFIG_PATH = "/etc/runbook-responder/config.yaml"
POD_ROOTS = ("/etc/runbook-responder", "/var/lib/runbook-responder")

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)
    return cond


def load(path):
    """The documents as Helm applies them: each one trimmed of surrounding
    whitespace (releaseutil.SplitManifests), then parsed on its own."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    docs = [yaml.safe_load(part.strip()) for part in re.split(r"(?m)^---[ \t]*$", text)]
    docs = [d for d in docs if d is not None]
    for d in docs:
        if not isinstance(d, dict):
            raise SystemExit(f"{path}: a document is not a mapping: {d!r}")
    return docs


def by_kind(docs):
    out = {}
    for d in docs:
        out.setdefault(d.get("kind"), []).append(d)
    return out


def one(kinds, kind):
    items = kinds.get(kind, [])
    if not check(len(items) == 1, f"expected exactly one {kind}, found {len(items)}"):
        return None
    return items[0]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def duration_seconds(value, default):
    if value is None:
        return default
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)", str(value))
    if not m:
        failures.append(f"cannot read duration {value!r}")
        return default
    n, unit = int(m.group(1)), m.group(2)
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def file_options(node, found):
    """Every path the config names as a secret file."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and (k.endswith("_file") or k == "known_hosts"):
                found.append((k, v))
            else:
                file_options(v, found)
    elif isinstance(node, list):
        for v in node:
            file_options(v, found)
    return found


def check_manifests(scenario, path, source_dir):
    docs = load(path)
    kinds = by_kind(docs)

    # Every object: identity and labels.
    seen = set()
    for d in docs:
        meta = d.get("metadata") or {}
        name = meta.get("name")
        check(isinstance(d.get("apiVersion"), str) and isinstance(d.get("kind"), str),
              f"a document without apiVersion/kind: {d}")
        check(isinstance(name, str) and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name or "")
              and len(name) <= 63, f"{d.get('kind')}: bad name {name!r}")
        check((d.get("kind"), name) not in seen, f"{d.get('kind')} {name} twice")
        seen.add((d.get("kind"), name))
        labels = meta.get("labels") or {}
        for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
                    "helm.sh/chart"):
            check(key in labels, f"{d.get('kind')} {name}: label {key} missing")

    optional = {"ServiceMonitor", "PodDisruptionBudget", "NetworkPolicy"}
    expected = {"ConfigMap", "Deployment", "Service", "ServiceAccount"}
    if scenario in ("default", "full"):
        expected.add("PersistentVolumeClaim")
    if scenario == "full":
        expected |= optional
    check(set(kinds) == expected, f"kinds {sorted(kinds)}, expected {sorted(expected)}")
    api = {"ConfigMap": "v1", "Deployment": "apps/v1", "Service": "v1", "ServiceAccount": "v1",
           "PersistentVolumeClaim": "v1", "ServiceMonitor": "monitoring.coreos.com/v1",
           "PodDisruptionBudget": "policy/v1", "NetworkPolicy": "networking.k8s.io/v1"}
    for d in docs:
        check(api.get(d["kind"]) == d["apiVersion"], f"{d['kind']}: apiVersion {d['apiVersion']}")

    cm = one(kinds, "ConfigMap")
    deploy = one(kinds, "Deployment")
    svc = one(kinds, "Service")
    if not (cm and deploy and svc):
        return
    data = cm.get("data") or {}
    config = yaml.safe_load(data.get("config.yaml", ""))
    if not check(isinstance(config, dict), "ConfigMap: config.yaml is not a YAML mapping"):
        return

    spec = deploy["spec"]
    pod = spec["template"]
    pod_labels = pod["metadata"].get("labels") or {}
    pspec = pod["spec"]
    check(spec.get("replicas") == 1, f"replicas {spec.get('replicas')}, expected 1")
    check(selects(spec["selector"].get("matchLabels"), pod_labels), "Deployment selector does not select its pods")
    check(selects(svc["spec"].get("selector"), pod_labels), "Service selector does not select the pods")
    check(pspec.get("automountServiceAccountToken") is False, "the service account token is mounted")
    if scenario in ("default", "full", "existing-claim"):
        check(spec.get("strategy", {}).get("type") == "Recreate", "persistence on: strategy must be Recreate")

    # Checksum of the config.
    annotations = pod["metadata"].get("annotations") or {}
    check(re.fullmatch(r"[0-9a-f]{64}", str(annotations.get("checksum/config", ""))),
          f"pod template: checksum/config annotation missing or not a sha256: {annotations}")

    # Security.
    psc = pspec.get("securityContext") or {}
    check(psc.get("runAsNonRoot") is True, "pod: runAsNonRoot is not true")
    check(isinstance(psc.get("runAsUser"), int) and psc["runAsUser"] > 0, "pod: runAsUser is not a fixed non-root UID")
    check(isinstance(psc.get("fsGroup"), int) and psc["fsGroup"] > 0, "pod: no fsGroup (secrets and state unreadable)")
    check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "pod: seccompProfile is not RuntimeDefault")
    check(isinstance(pspec.get("terminationGracePeriodSeconds"), int), "terminationGracePeriodSeconds missing")

    containers = pspec.get("containers") or []
    if not check(len(containers) == 1, f"{len(containers)} containers, expected 1"):
        return
    c = containers[0]
    sc = c.get("securityContext") or {}
    check(sc.get("allowPrivilegeEscalation") is False, "container: allowPrivilegeEscalation is not false")
    check(sc.get("readOnlyRootFilesystem") is True, "container: readOnlyRootFilesystem is not true")
    check(sc.get("runAsNonRoot") is True, "container: runAsNonRoot is not true")
    check((sc.get("capabilities") or {}).get("drop") == ["ALL"], "container: capabilities do not drop ALL")
    check((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "container: seccompProfile is not RuntimeDefault")
    check(sc.get("privileged") in (None, False), "container: privileged")

    # Command line: the real CLI (src/app/cli.cpp).
    args = c.get("args") or []
    check(args[:3] == ["serve", "--config", CONFIG_PATH], f"args {args}")
    check(not c.get("command"), "command is set: the image's entrypoint must be the binary")
    for flag, allowed in (("--log-format", {"text", "json"}),
                          ("--log-level", {"trace", "debug", "info", "warn", "error", "off"})):
        if flag in args:
            i = args.index(flag)
            check(i + 1 < len(args) and args[i + 1] in allowed, f"{flag} {args[i + 1:i + 2]}")

    # Ports and probes.
    ports = {p.get("name"): p for p in c.get("ports") or []}
    http = ports.get("http")
    if check(http is not None, "container: no port named http"):
        check(config.get("listen") == f"0.0.0.0:{http['containerPort']}",
              f"config listen {config.get('listen')} is not the container port {http['containerPort']}")
    for probe, path_ in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (c.get(probe) or {}).get("httpGet") or {}
        check(get.get("path") == path_ and get.get("port") in ("http", (http or {}).get("containerPort")),
              f"{probe}: {get}, expected GET {path_} on port http")
    svc_ports = {p.get("name"): p for p in svc["spec"].get("ports") or []}
    check(svc_ports.get("http", {}).get("targetPort") in ("http", (http or {}).get("containerPort")),
          f"Service: port http does not target the container's http port: {svc_ports}")

    # Resources.
    res = c.get("resources") or {}
    for part, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
        check(key in (res.get(part) or {}), f"resources.{part}.{key} missing")

    # Shutdown: the pod outlives a triage in progress and a send in flight.
    engine = config.get("engine") or {}
    delivery = config.get("delivery") or {}
    needed = duration_seconds(engine.get("deadline"), 30) + duration_seconds(delivery.get("attempt_timeout"), 10)
    check(pspec.get("terminationGracePeriodSeconds", 0) > needed,
          f"terminationGracePeriodSeconds {pspec.get('terminationGracePeriodSeconds')} is not above "
          f"engine.deadline + delivery.attempt_timeout ({needed:g}s)")

    # Volumes and mounts.
    volumes = {v["name"]: v for v in pspec.get("volumes") or []}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
    for m in mounts.values():
        check(m["name"] in volumes, f"volumeMount {m['mountPath']}: no volume {m['name']}")

    def mount_of(path_):
        best = None
        for mp, m in mounts.items():
            if (path_ == mp or path_.startswith(mp.rstrip("/") + "/")) and (best is None or len(mp) > len(best[0])):
                best = (mp, m)
        return best

    # The config file.
    m = mounts.get(CONFIG_PATH)
    if check(m is not None, f"nothing mounted at {CONFIG_PATH}"):
        vol = volumes.get(m["name"], {})
        cmv = vol.get("configMap") or {}
        check(cmv.get("name") == cm["metadata"]["name"], f"{CONFIG_PATH}: not from ConfigMap {cm['metadata']['name']}")
        items = {i["path"]: i["key"] for i in cmv.get("items") or []}
        check(m.get("subPath") in items and items[m["subPath"]] == "config.yaml",
              f"{CONFIG_PATH}: not the ConfigMap's config.yaml")

    # The rules: config.rules globs reach a ConfigMap volume holding every rule.* key.
    rule_keys = {k for k in data if k.startswith("rule.")}
    check(rule_keys, "ConfigMap: no rule files")
    mounted_rules = {}
    for pattern in config.get("rules") or []:
        found = mount_of(pattern)
        if not check(found, f"config rules {pattern}: not under any mount"):
            continue
        mp, mnt = found
        cmv = volumes.get(mnt["name"], {}).get("configMap") or {}
        check(cmv.get("name") == cm["metadata"]["name"], f"rules mount {mp}: not the ConfigMap")
        for item in cmv.get("items") or []:
            full = mp.rstrip("/") + "/" + item["path"]
            if re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]*"), full):
                mounted_rules[item["key"]] = full
    check(set(mounted_rules) == rule_keys,
          f"rule files mounted where config.rules finds them {sorted(mounted_rules)}, in the ConfigMap {sorted(rule_keys)}")
    for key in rule_keys:
        rules = yaml.safe_load(data[key])
        check(isinstance(rules, dict) and isinstance(rules.get("rules"), list), f"ConfigMap {key}: not a rule file")

    shipped = {os.path.basename(p): open(p, encoding="utf-8").read()
               for p in sorted(glob.glob(os.path.join(source_dir, "rules", "*.yaml")))}
    check(shipped, f"no rules/*.yaml under {source_dir}")
    expected_rules = dict(shipped)
    if scenario == "full":
        full_values = yaml.safe_load(open(os.path.join(source_dir, "tests", "helm", "values-full.yaml"), encoding="utf-8"))
        expected_rules.update(full_values["rules"]["files"])
    got_rules = {k[len("rule."):]: v for k, v in data.items() if k.startswith("rule.")}
    check(sorted(got_rules) == sorted(expected_rules),
          f"rule files {sorted(got_rules)}, expected {sorted(expected_rules)}")
    for name, text in expected_rules.items():
        check(got_rules.get(name) == text, f"ConfigMap rule.{name} differs from its source (rules/{name} or values)")

    # Secrets: every file the config names is one item of a Secret, projected
    # read-only; nothing else is projected.
    secret_items = {}
    for v in volumes.values():
        for src in (v.get("projected") or {}).get("sources") or []:
            s = src.get("secret")
            if s:
                for item in s.get("items") or []:
                    secret_items[(v["name"], item["path"])] = (s["name"], item["key"])
        if v.get("secret"):
            for item in v["secret"].get("items") or []:
                secret_items[(v["name"], item["path"])] = (v["secret"]["secretName"], item["key"])
    named = file_options(config, [])
    check(("bearer_token_file" in dict(named)) or ("auth" in config and "basic_auth" in config["auth"]),
          "config: no webhook authentication")
    used = set()
    for key, path_ in named:
        found = mount_of(path_)
        if not check(found, f"config {key} {path_}: not under any mount"):
            continue
        mp, mnt = found
        check(mnt.get("readOnly") is True, f"secrets mount {mp} is not read-only")
        rel = path_[len(mp.rstrip("/")) + 1:]
        check((mnt["name"], rel) in secret_items, f"config {key} {path_}: no Secret item projected there")
        used.add((mnt["name"], rel))
    check(used == set(secret_items), f"Secret items projected but not named by the config: {set(secret_items) - used}")
    secrets_by_name = {}
    for (vol, rel), (secret, key) in secret_items.items():
        secrets_by_name.setdefault(secret, set()).add(key)
    if scenario == "full":
        check(secrets_by_name == {
            "rr-webhook": {"bearer"}, "rr-read": {"read-token"}, "nats-cim": {"password", "system-password"},
            "nats-titan": {"token"}, "rr-slack": {"url", "bot-token"}, "rr-pagerduty": {"routing-key"},
            "rr-opsgenie": {"api-key"}, "rr-ssh": {"id_ed25519", "known_hosts"}},
            f"Secrets mounted: {secrets_by_name}")
        check(config.get("ssh", {}).get("user") == "responder", "config.settings.ssh not merged with the ssh secret")
        check(config.get("external_url") == "https://responder.example.com", "external_url not written")
    else:
        check(secrets_by_name == {"runbook-responder-webhook": {"token"}}, f"Secrets mounted: {secrets_by_name}")

    # State.
    state_dir = (config.get("state") or {}).get("dir", "")
    found = mount_of(state_dir)
    if check(found and found[0] != "/", f"config state.dir {state_dir!r}: not on a volume"):
        mp, mnt = found
        check(not mnt.get("readOnly"), "state volume mounted read-only")
        vol = volumes[mnt["name"]]
        pvcs = kinds.get("PersistentVolumeClaim", [])
        if scenario in ("default", "full"):
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            check(len(pvcs) == 1 and claim == pvcs[0]["metadata"]["name"],
                  f"state volume {vol}: not the chart's PersistentVolumeClaim")
            if pvcs:
                pvc = pvcs[0]["spec"]
                check(pvc.get("accessModes") == ["ReadWriteOnce"], f"PVC accessModes {pvc.get('accessModes')}")
                check("storage" in pvc.get("resources", {}).get("requests", {}), "PVC without a storage request")
                if scenario == "full":
                    check(pvc.get("storageClassName") == "fast-ssd" and pvc["resources"]["requests"]["storage"] == "5Gi",
                          f"PVC: {pvc}")
        elif scenario == "existing-claim":
            check((vol.get("persistentVolumeClaim") or {}).get("claimName") == "rr-state-existing",
                  f"state volume {vol}: not the existing claim")
        elif scenario == "ephemeral":
            check("emptyDir" in vol, f"state volume {vol}: not an emptyDir")
            check(spec.get("strategy", {}).get("type") != "Recreate", "no persistence: strategy need not be Recreate")
    tmp = mounts.get("/tmp")
    check(tmp is not None and "emptyDir" in volumes.get(tmp["name"], {}), "no writable emptyDir at /tmp")

    # Optional objects.
    sm = kinds.get("ServiceMonitor", [None])[0]
    if sm:
        ep = (sm["spec"].get("endpoints") or [{}])[0]
        check(ep.get("port") in svc_ports and ep.get("path") == "/metrics", f"ServiceMonitor endpoint {ep}")
        check(selects(sm["spec"]["selector"].get("matchLabels"), svc["metadata"]["labels"]),
              "ServiceMonitor does not select the Service")
        check(sm["metadata"]["labels"].get("release") == "kube-prometheus-stack", "ServiceMonitor labels not applied")
        check(sm["metadata"].get("namespace") == "monitoring", "ServiceMonitor namespace not applied")
        check(sm["spec"].get("namespaceSelector", {}).get("matchNames") == ["ops"],
              "ServiceMonitor does not look in the release's namespace")
    pdb = kinds.get("PodDisruptionBudget", [None])[0]
    if pdb:
        check(selects(pdb["spec"]["selector"].get("matchLabels"), pod_labels), "PodDisruptionBudget does not select the pods")
        check(("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"]), "PDB: exactly one of min/max")
    np = kinds.get("NetworkPolicy", [None])[0]
    if np:
        nspec = np["spec"]
        check(selects(nspec["podSelector"].get("matchLabels"), pod_labels), "NetworkPolicy does not select the pods")
        check(sorted(nspec.get("policyTypes") or []) == ["Egress", "Ingress"], f"policyTypes {nspec.get('policyTypes')}")
        ingress = nspec.get("ingress") or []
        peers = [p for rule in ingress for p in rule.get("from") or []]
        check(any(p.get("podSelector", {}).get("matchLabels", {}).get("alertmanager") == "main"
                  and p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "observability"
                  for p in peers), f"NetworkPolicy: no ingress from the Alertmanager pods of the values: {peers}")
        check(all(rule.get("from") for rule in ingress), "NetworkPolicy: an ingress rule open to everyone")
        check(all(p.get("port") in ("http", (http or {}).get("containerPort"))
                  for rule in ingress for p in rule.get("ports") or []), "NetworkPolicy: ingress to another port")
        egress_ports = {(p.get("port"), p.get("protocol", "TCP")) for rule in nspec.get("egress") or []
                        for p in rule.get("ports") or []}
        for port in ((53, "UDP"), (53, "TCP"), (4222, "TCP"), (8222, "TCP"), (22, "TCP"), (443, "TCP")):
            check(port in egress_ports, f"NetworkPolicy: no egress to {port[1]} {port[0]}")
        nats_rule = [r for r in nspec["egress"] if {"port": 4222, "protocol": "TCP"} in (r.get("ports") or [])][0]
        check(nats_rule.get("to") == [{"ipBlock": {"cidr": "10.0.0.0/16"}}], f"NetworkPolicy: egress.to not applied: {nats_rule}")


def check_config(path, responder, work):
    docs = load(path)
    cm = [d for d in docs if d.get("kind") == "ConfigMap"][0]
    data = cm["data"]
    text = data["config.yaml"]
    for root in POD_ROOTS:
        text = text.replace(root, os.path.join(work, root.strip("/").replace("/", "_")))
    config_dir = os.path.join(work, "etc_runbook-responder")
    os.makedirs(os.path.join(config_dir, "rules"), exist_ok=True)
    config_file = os.path.join(config_dir, "config.yaml")
    with open(config_file, "w", encoding="utf-8") as f:
        f.write(text)
    for key, content in data.items():
        if key.startswith("rule."):
            with open(os.path.join(config_dir, "rules", key[len("rule."):]), "w", encoding="utf-8") as f:
                f.write(content)
    # Stand-ins the target types accept (each checks the form of its secret).
    stand_in = {"url": "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX", "token": "xoxb-0000-stand-in",
                "routing_key": "0123456789abcdef0123456789abcdef"}
    for key, file in file_options(yaml.safe_load(text), []):
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, "w", encoding="utf-8") as f:
            f.write(stand_in.get(os.path.basename(file), "stand-in-secret") + "\n")
        os.chmod(file, 0o600)
    run = subprocess.run([responder, "check", "--config", config_file], capture_output=True, text=True)
    print(run.stdout + run.stderr, end="")
    check(run.returncode == 0, f"runbook-responder check refused the chart's config ({path}): exit {run.returncode}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("manifests")
    m.add_argument("scenario", choices=["default", "full", "existing-claim", "ephemeral"])
    m.add_argument("rendered")
    m.add_argument("--source-dir", required=True)
    c = sub.add_parser("config")
    c.add_argument("rendered")
    c.add_argument("--responder", required=True)
    c.add_argument("--work", required=True)
    args = parser.parse_args()
    if args.what == "manifests":
        check_manifests(args.scenario, args.rendered, args.source_dir)
        what = f"{args.scenario} ({args.rendered})"
    else:
        check_config(args.rendered, args.responder, args.work)
        what = f"config of {args.rendered}"
    if failures:
        print(f"check_chart: {what}: {len(failures)} failure(s):", file=sys.stderr)
        for f in failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    print(f"check_chart: {what}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
