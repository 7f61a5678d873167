"""What the schemas cannot see in deploy/: run by deploy/check.sh (with its venv's Python, for PyYAML).

- no YAML file repeats a key (a YAML loader keeps the last one silently);
- every setting the manifests give a jvap service is one a service reads: deploy/jvap.env.example,
  which tests/tests/settings.rs checks against the services' clap definitions;
- each service's probes and healthcheck are on the port of its JVAP_METRICS_ADDR, its HTTP port on
  JVAP_HTTP_ADDR's, and JVAP_NATS_URL lists every NATS node of the same file;
- deploy/k8s/kustomization.yaml lists exactly the YAML files of deploy/k8s;
- the Dockerfile copies exactly the workspace's binaries, and every command run is one of them;
- compose's ${VARIABLES} are exactly those of deploy/.env.example, its depends_on name services and its
  volumes are declared or exist.

Prints one line per problem and exits 1 if there is any.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
problems: list[str] = []


def problem(where: Path | str, text: str) -> None:
    where = where.relative_to(ROOT) if isinstance(where, Path) else where
    problems.append(f"{where}: {text}")


class StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (merge keys `<<` aside)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.MarkedYAMLError(
                    "in a mapping", node.start_mark, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_all(path: Path) -> list:
    try:
        return [doc for doc in yaml.load_all(path.read_text(), Loader=StrictLoader) if doc is not None]
    except yaml.YAMLError as error:
        problem(path, f"not valid YAML: {error}")
        return []


def env_names(path: Path) -> set[str]:
    """`NAME=` and `# NAME=` lines, as tests/tests/settings.rs reads the example."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.lstrip("#").strip()
        name, equals, _ = line.partition("=")
        name = name.strip()
        if equals and name and re.fullmatch(r"[A-Z0-9_]+", name):
            names.add(name)
    return names


def port_of(address: str) -> str:
    return address.rsplit(":", 1)[-1]


SETTINGS = env_names(DEPLOY / "jvap.env.example") | {"RUST_LOG"}


def check_settings(where: Path, names, what: str) -> None:
    for name in sorted(set(names) - SETTINGS):
        problem(where, f"{what} sets {name}, which no service reads (not in deploy/jvap.env.example)")


def nats_urls(value: str) -> list[str]:
    return [part.strip().removeprefix("nats://").rsplit(":", 1)[0] for part in value.split(",") if part.strip()]


# --- the workspace's binaries and the Dockerfile -------------------------------------------------
dockerfile = DEPLOY / "Dockerfile"
image_bins = set(re.findall(r"target/release/([A-Za-z0-9_-]+)", dockerfile.read_text()))
if shutil.which("cargo"):
    # the services' and the CLI's binaries, not the benchmark tools of tests/
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    workspace_bins = {
        target["name"]
        for package in metadata["packages"]
        for target in package["targets"]
        if "bin" in target["kind"] and Path(package["manifest_path"]).relative_to(ROOT).parts[0] == "services"
    }
    for name in sorted(workspace_bins - image_bins):
        problem(dockerfile, f"the workspace builds {name}, which the image does not copy")
    for name in sorted(image_bins - workspace_bins):
        problem(dockerfile, f"copies {name}, which is no binary of the workspace")
else:
    print("deploy-check: cargo not found: the Dockerfile's binaries are not compared with the workspace's")


def check_command(where: Path, service: str, words) -> None:
    """The program run: the first word, or what a shell script (`sh -c`) finally `exec`s."""
    words = list(words or [])
    if not words:
        problem(where, f"{service} names no command (the image's default is `jvap --help`)")
        return
    programs = [words[0]]
    if Path(words[0]).name in ("sh", "bash"):
        programs = re.findall(r"\bexec\s+(\S+)", " ".join(words[1:])) or ["(no exec)"]
    for program in programs:
        if Path(program).name not in image_bins:
            problem(where, f"{service} runs {program}, which the image does not hold")


# --- compose ----------------------------------------------------------------------------------------
compose_path = DEPLOY / "compose.yaml"
for compose in load_all(compose_path)[:1]:
    services = compose.get("services", {})
    nats_nodes = {name for name, service in services.items() if str(service.get("image", "")).startswith("nats:")}
    # what `docker compose config` would refuse beyond the schema (no Docker here to run it)
    for name, service in services.items():
        for other in service.get("depends_on", {}):
            if other not in services:
                problem(compose_path, f"{name} depends on {other}, which is no service")
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")) and source not in (compose.get("volumes") or {}):
                problem(compose_path, f"{name} mounts volume {source}, which the top-level volumes do not declare")
            elif source.startswith("./") and not (compose_path.parent / source).exists():
                problem(compose_path, f"{name} mounts {source}, which does not exist")
    for name, service in services.items():
        if service.get("image") != "jvap:local":
            continue
        env = service.get("environment", {})
        if not isinstance(env, dict):
            problem(compose_path, f"{name}: environment should be a mapping")
            continue
        check_settings(compose_path, env, name)
        check_command(compose_path, name, service.get("command"))
        if set(nats_urls(env.get("JVAP_NATS_URL", ""))) != nats_nodes:
            problem(compose_path, f"{name}: JVAP_NATS_URL should list every NATS node: {sorted(nats_nodes)}")
        if int(env.get("JVAP_NATS_REPLICAS", 1)) > len(nats_nodes):
            problem(compose_path, f"{name}: JVAP_NATS_REPLICAS is more than the {len(nats_nodes)} NATS nodes")
        metrics = env.get("JVAP_METRICS_ADDR")
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        if not metrics:
            problem(compose_path, f"{name}: no JVAP_METRICS_ADDR (the default listens on 127.0.0.1 only)")
        elif f":{port_of(metrics)}/readyz" not in test:
            problem(compose_path, f"{name}: the healthcheck should ask /readyz on port {port_of(metrics)} (JVAP_METRICS_ADDR)")
        if "JVAP_HTTP_ADDR" in env:
            targets = {str(port).rsplit(":", 1)[-1] for port in service.get("ports", [])}
            if port_of(env["JVAP_HTTP_ADDR"]) not in targets:
                problem(compose_path, f"{name}: no published port goes to JVAP_HTTP_ADDR's {port_of(env['JVAP_HTTP_ADDR'])}")

env_example = DEPLOY / ".env.example"
variables = set(re.findall(r"\$\{([A-Z0-9_]+)", compose_path.read_text()))
example_variables = env_names(env_example)
for name in sorted(variables - example_variables):
    problem(compose_path, f"uses ${{{name}}}, which deploy/.env.example does not list")
for name in sorted(example_variables - variables):
    problem(env_example, f"lists {name}, which deploy/compose.yaml does not use")

# --- Kubernetes -------------------------------------------------------------------------------------
K8S = DEPLOY / "k8s"
kustomization_path = K8S / "kustomization.yaml"
listed = set()
for kustomization in load_all(kustomization_path)[:1]:
    listed = set(kustomization.get("resources", []))
present = {path.name for path in K8S.glob("*.yaml")} - {kustomization_path.name}
for name in sorted(present - listed):
    problem(kustomization_path, f"does not list {name}")
for name in sorted(listed - present):
    problem(kustomization_path, f"lists {name}, which is not in deploy/k8s")

resources = [(path, doc) for path in sorted(K8S.glob("*.yaml")) for doc in load_all(path)]
nats_pods = set()
for path, doc in resources:
    if doc.get("kind") == "StatefulSet" and any(
        c.get("image", "").startswith("nats:") for c in doc["spec"]["template"]["spec"]["containers"]
    ):
        spec = doc["spec"]
        nats_pods |= {f"{doc['metadata']['name']}-{i}.{spec['serviceName']}" for i in range(spec["replicas"])}
for path, doc in resources:
    kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
    if kind == "ConfigMap" and name == "jvap-env":
        data = doc.get("data", {})
        check_settings(path, data, f"ConfigMap {name}")
        if set(nats_urls(data.get("JVAP_NATS_URL", ""))) != nats_pods:
            problem(path, f"JVAP_NATS_URL should list every NATS pod: {sorted(nats_pods)}")
        if int(data.get("JVAP_NATS_REPLICAS", 1)) > len(nats_pods):
            problem(path, f"JVAP_NATS_REPLICAS is more than the {len(nats_pods)} NATS pods")
    if kind == "Secret" and name == "jvap-secrets":
        check_settings(path, doc.get("stringData", {}) | doc.get("data", {}), f"Secret {name}")
    if kind != "Deployment":
        continue
    for container in doc["spec"]["template"]["spec"]["containers"]:
        if container.get("image") != "jvap":
            continue
        where = f"Deployment {name}"
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        check_settings(path, env, where)
        check_command(path, where, (container.get("command") or []) + (container.get("args") or []))
        ports = {p.get("name"): str(p["containerPort"]) for p in container.get("ports", [])}
        metrics = env.get("JVAP_METRICS_ADDR")
        if not metrics:
            problem(path, f"{where}: no JVAP_METRICS_ADDR (the default listens on 127.0.0.1 only)")
        elif ports.get("ops") != port_of(metrics):
            problem(path, f"{where}: containerPort ops should be JVAP_METRICS_ADDR's {port_of(metrics)}")
        if "JVAP_HTTP_ADDR" in env and ports.get("http") != port_of(env["JVAP_HTTP_ADDR"]):
            problem(path, f"{where}: containerPort http should be JVAP_HTTP_ADDR's {port_of(env['JVAP_HTTP_ADDR'])}")
        for probe, path_wanted in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != path_wanted or get.get("port") != "ops":
                problem(path, f"{where}: {probe} should be GET {path_wanted} on port ops")
        resources_ = container.get("resources", {})
        for bound in ("requests", "limits"):
            for what in ("cpu", "memory"):
                if what not in resources_.get(bound, {}):
                    problem(path, f"{where}: no resources.{bound}.{what}")

# --- systemd ----------------------------------------------------------------------------------------
for unit in sorted((DEPLOY / "systemd").glob("*.service")):
    text = unit.read_text()
    names = re.findall(r"^Environment=\"?([A-Za-z0-9_]+)=", text, re.MULTILINE)
    check_settings(unit, names, "Environment=")
    for line in re.findall(r"^ExecStart=(.*)$", text, re.MULTILINE):
        check_command(unit, unit.name, [Path(line.split()[0]).name])
    for setting in ("MemoryMax=", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=", "Environment=JVAP_METRICS_ADDR="):
        if not re.search(rf"^{re.escape(setting)}", text, re.MULTILINE):
            problem(unit, f"no {setting}")

for line in problems:
    print(f"deploy-check: {line}")
sys.exit(1 if problems else 0)
