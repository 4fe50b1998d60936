#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (none is needed or used):
#   1. against the Compose Specification JSON schema, with check-jsonschema's
#      vendored copy of it (--builtin-schema vendor.compose-spec: works offline);
#   2. static checks the schema cannot express: depends_on targets and cycles,
#      health/completion conditions, named volumes and networks, bind-mount and
#      build paths, npm scripts of the services built from our Dockerfile,
#      ${VAR} interpolation syntax, published ports, the program environment
#      against config/env.ts, and .env.example against both;
#   3. the example values of .env.example against the real config schema
#      (config/env.ts through tsx), when node_modules is installed.
#
# Usage: bash scripts/validate-compose.sh [COMPOSE_FILE]   (default: docker-compose.yml)
# Paths in the file are resolved against the file's own folder, as compose does.
# Tools: pinned in tools/requirements-dev.txt, installed into .tools/venv on first use.
# Exits 0 when everything passed, 1 on any error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file=$(realpath "${1:-$root/docker-compose.yml}")
venv="$root/.tools/venv"

if [ ! -f "$file" ]; then
  echo "validate-compose: $file not found" >&2
  exit 1
fi

if ! "$venv/bin/check-jsonschema" --version >/dev/null 2>&1; then
  echo "validate-compose: installing tools/requirements-dev.txt into .tools/venv"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check -q -r "$root/tools/requirements-dev.txt"
fi

echo "validate-compose: $file"
status=0

echo "[1/3] Compose Specification schema ($("$venv/bin/check-jsonschema" --version), builtin vendor.compose-spec)"
if "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$file"; then
  echo "  ok   the file conforms to the Compose Specification schema"
else
  echo "  FAIL the file does not conform to the Compose Specification schema (errors above)"
  status=1
fi

echo "[2/3] static checks"
example_env_json=$(mktemp)
trap 'rm -f "$example_env_json"' EXIT
if ! "$venv/bin/python" - "$file" "$root" "$example_env_json" <<'PY'
import json
import os
import re
import sys

from ruamel.yaml import YAML

compose_path, root, example_out = sys.argv[1], sys.argv[2], sys.argv[3]
base = os.path.dirname(compose_path)
errors, notes = [], []


def ok(msg):
    print(f"  ok   {msg}")


def fail(msg):
    errors.append(msg)
    print(f"  FAIL {msg}")


try:
    # Safe loader: merge keys (<<) resolved, duplicate keys rejected, as compose does.
    doc = YAML(typ="safe").load(open(compose_path, encoding="utf-8"))
except Exception as exc:  # noqa: BLE001 - report any parse problem as one line
    print(f"  FAIL cannot parse {compose_path}: {exc}")
    sys.exit(1)

services = doc.get("services") if isinstance(doc, dict) else None
if not isinstance(services, dict) or not services:
    print("  FAIL no services")
    sys.exit(1)
names = set(services)


def as_list(value):
    return value if isinstance(value, list) else []


# ---- depends_on: targets exist, no self or cyclic dependency, conditions make sense
def deps_of(svc):
    dep = svc.get("depends_on") or {}
    if isinstance(dep, list):
        return {d: "service_started" for d in dep}
    return {d: (c or {}).get("condition", "service_started") for d, c in dep.items()}


dep_errors = 0
for name, svc in services.items():
    for target, condition in deps_of(svc).items():
        if target not in names:
            fail(f"services.{name}.depends_on: no service named '{target}'")
            dep_errors += 1
        elif target == name:
            fail(f"services.{name}.depends_on: depends on itself")
            dep_errors += 1
        elif condition == "service_healthy" and not services[target].get("healthcheck"):
            fail(f"services.{name}.depends_on.{target}: service_healthy, but '{target}' declares no healthcheck")
            dep_errors += 1
        elif condition == "service_completed_successfully" and services[target].get("restart") in ("always", "unless-stopped"):
            fail(f"services.{name}.depends_on.{target}: waits for completion of a service that restarts after success")
            dep_errors += 1

state = {}


def visit(node, path):
    state[node] = "open"
    for nxt in deps_of(services[node]):
        if nxt not in services or nxt == node:
            continue
        if state.get(nxt) == "open":
            return path + [nxt]
        if nxt not in state:
            cycle = visit(nxt, path + [nxt])
            if cycle:
                return cycle
    state[node] = "done"
    return None


for name in services:
    if name not in state:
        cycle = visit(name, [name])
        if cycle:
            fail("depends_on cycle: " + " -> ".join(cycle))
            dep_errors += 1
            break
if not dep_errors:
    edges = sum(len(deps_of(s)) for s in services.values())
    ok(f"depends_on: {edges} edges between {len(services)} services, all targets exist, no cycle, conditions satisfiable")

# ---- volumes: named ones declared, bind sources exist; networks declared
declared_volumes = set((doc.get("volumes") or {}).keys())
used_volumes, binds, vol_errors = set(), 0, 0
for name, svc in services.items():
    for vol in as_list(svc.get("volumes")):
        if isinstance(vol, str):
            parts = vol.split(":")
            source = parts[0] if len(parts) > 1 else ""
            kind = "bind" if source.startswith((".", "/", "~", "$")) else ("volume" if source else "anonymous")
        else:
            source = vol.get("source", "")
            kind = vol.get("type", "volume")
        if kind == "volume" and source:
            used_volumes.add(source)
            if source not in declared_volumes:
                fail(f"services.{name}.volumes: named volume '{source}' is not declared under top-level volumes")
                vol_errors += 1
        elif kind == "bind":
            binds += 1
            if "$" in source:
                continue
            if not os.path.exists(os.path.join(base, os.path.expanduser(source))):
                fail(f"services.{name}.volumes: bind-mount source '{source}' does not exist")
                vol_errors += 1
for unused in sorted(declared_volumes - used_volumes):
    notes.append(f"top-level volume '{unused}' is declared but no service uses it")
if not vol_errors:
    ok(f"volumes: named {sorted(used_volumes)} declared; {binds} bind mount(s) exist")

declared_networks = set((doc.get("networks") or {}).keys()) | {"default"}
net_errors = 0
for name, svc in services.items():
    nets = svc.get("networks") or []
    for net in (nets if isinstance(nets, list) else list(nets)):
        if net not in declared_networks:
            fail(f"services.{name}.networks: network '{net}' is not declared")
            net_errors += 1
if not net_errors:
    ok("networks: every network a service joins is declared")

# ---- services built from the project's Dockerfile run existing npm scripts
pkg = json.load(open(os.path.join(root, "package.json"), encoding="utf-8"))
scripts = pkg.get("scripts", {})


def dockerfile_cmd(path):
    cmd = None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*CMD\s+(\[.*\])\s*$", line)
        if m:
            cmd = json.loads(m.group(1))
    return cmd


built, app_services, build_errors = [], [], 0
for name, svc in services.items():
    build = svc.get("build")
    if build is None:
        continue
    app_services.append(name)
    build_errors += 1  # taken back below once every check of this service passed
    ctx = build if isinstance(build, str) else build.get("context", ".")
    ctx_dir = os.path.normpath(os.path.join(base, ctx))
    dockerfile = os.path.join(ctx_dir, "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
    if not os.path.isdir(ctx_dir):
        fail(f"services.{name}.build: context '{ctx}' is not a directory")
        continue
    if not os.path.isfile(dockerfile):
        fail(f"services.{name}.build: {os.path.relpath(dockerfile, base)} does not exist")
        continue
    command = svc.get("command")
    origin = "command"
    if command is None:
        command, origin = dockerfile_cmd(dockerfile), "Dockerfile CMD"
    if isinstance(command, str):
        command = command.split()
    if not command or command[:2] != ["npm", "run"] or len(command) < 3:
        fail(f"services.{name}: {origin} {command!r} is not `npm run <script>`")
        continue
    if command[2] not in scripts:
        fail(f"services.{name}: {origin} runs npm script '{command[2]}', which package.json does not define")
        continue
    # `[exec] tsx path/to/entry.ts` / `[exec] node [--import tsx] path/to/entry.[jt]s`: the entry file must be in the build context
    entry = re.match(r"^\s*(?:exec\s+)?(?:tsx|node)\s+(?:--import\s+\S+\s+|-\S+\s+)*([\w./-]+\.[cm]?[jt]s)\b", scripts[command[2]])
    if entry and not os.path.isfile(os.path.join(ctx_dir, entry.group(1))):
        fail(f"services.{name}: npm script '{command[2]}' runs {entry.group(1)}, which does not exist in the build context")
        continue
    built.append((name, command[2]))
    build_errors -= 1
default_cmd = dockerfile_cmd(os.path.join(root, "Dockerfile")) if os.path.isfile(os.path.join(root, "Dockerfile")) else None
if default_cmd and default_cmd[:2] == ["npm", "run"] and default_cmd[2:3] and default_cmd[2] not in scripts:
    fail(f"Dockerfile CMD runs npm script '{default_cmd[2]}', which package.json does not define")
if not app_services:
    fail("no service is built from the project's Dockerfile")
elif not build_errors:
    ok("built from Dockerfile: " + ", ".join(f"{n} -> npm run {s} ({scripts[s]!r})" for n, s in built))

# ---- interpolation: ${...} syntax; bare $NAME is almost always a shell variable meant for the container
TOKEN = re.compile(r"\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|)")
BRACED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$", re.S)
variables, required = {}, set()
interp_errors = 0


def scan(node, where):
    global interp_errors
    if isinstance(node, dict):
        for k, v in node.items():
            scan(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            scan(v, f"{where}[{i}]")
    elif isinstance(node, str):
        for m in TOKEN.finditer(node):
            if m.group(1) == "$":
                continue
            if m.group(2) is not None:
                b = BRACED.match(m.group(2))
                if not b:
                    fail(f"{where}: malformed interpolation '${{{m.group(2)}}}'")
                    interp_errors += 1
                    continue
                variables.setdefault(b.group(1), where)
                if b.group(2) in (":?", "?"):
                    required.add(b.group(1))
            elif m.group(3):
                fail(f"{where}: bare '${m.group(3)}' is replaced by compose from the host; write '$${m.group(3)}' for the container, or '${{{m.group(3)}}}'")
                interp_errors += 1
            else:
                fail(f"{where}: lone '$' (write '$$' for a literal dollar)")
                interp_errors += 1


scan(doc, "$")
if not interp_errors:
    ok(f"interpolation: {len(variables)} variables, syntax valid; required (fail when unset): {sorted(required) or 'none'}")

# ---- published host ports are unique
seen_ports, port_errors = {}, 0
for name, svc in services.items():
    for port in as_list(svc.get("ports")):
        spec = str(port if not isinstance(port, dict) else f"{port.get('host_ip', '')}:{port.get('published', '')}:{port.get('target')}")
        parts = spec.split("/")[0].split(":")
        if len(parts) < 2:
            continue
        host = ":".join(parts[:-1])
        if host in seen_ports:
            fail(f"services.{name}.ports: host port {host} is already published by {seen_ports[host]}")
            port_errors += 1
        seen_ports[host] = name
if not port_errors:
    ok(f"ports: published {sorted(seen_ports)} without clashes")

# ---- program environment: names known to config/env.ts; addresses point at services; API_KEYS enforced
env_ts = open(os.path.join(root, "config", "env.ts"), encoding="utf-8").read()
# The keys of `EnvSchema = z.object({ NAME: ..., })`: upper-case keys at the start
# of a line between the declaration and its .superRefine (or the end of the file).
schema_block = env_ts[env_ts.find("EnvSchema"):]
if ".superRefine" in schema_block:
    schema_block = schema_block[: schema_block.find(".superRefine")]
known = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*:", schema_block, re.M))
if not known:
    fail("could not read the variable names of EnvSchema in config/env.ts")
env_errors = 0
for name in app_services:
    env = services[name].get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
    for key in env:
        if known and key not in known:
            fail(f"services.{name}.environment.{key}: not a variable of config/env.ts")
            env_errors += 1
    for key in ("TEMPORAL_ADDRESS", "SMTP_URL"):
        value = str(env.get(key) or "")
        m = re.search(r"(?:^|//|:-)([A-Za-z0-9_.-]+):\d+", value)
        host = m.group(1) if m else None
        if host and not re.match(r"^[\d.]+$", host) and host not in names and host != "localhost":
            fail(f"services.{name}.environment.{key}: host '{host}' is not a service of this file")
            env_errors += 1
    host = str(env.get("HTTP_HOST") or "")
    if host and host not in ("127.0.0.1", "localhost", "::1"):
        if not re.fullmatch(r"\$\{API_KEYS:\?[^}]+\}", str(env.get("API_KEYS") or "")):
            fail(f"services.{name}: listens on {host} but API_KEYS is not required with ${{API_KEYS:?...}}")
            env_errors += 1
if not env_errors:
    ok(f"program environment: names known to config/env.ts ({len(known)} variables); Temporal/SMTP hosts are services; API_KEYS required where the API listens beyond loopback")

# ---- .env.example documents every program variable and every compose variable
example_path = os.path.join(root, ".env.example")
documented, example_values = set(), {}
if os.path.isfile(example_path):
    for line in open(example_path, encoding="utf-8"):
        m = re.match(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.rstrip("\n"))
        if m:
            documented.add(m.group(1))
            value = m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if value:
                example_values.setdefault(m.group(1), value)
    missing_prog = sorted(known - documented)
    missing_compose = sorted(v for v in variables if v not in documented)
    for v in missing_prog:
        fail(f".env.example: config/env.ts variable {v} is not documented")
    for v in missing_compose:
        fail(f".env.example: compose variable {v} (used at {variables[v]}) is not documented")
    if not missing_prog and not missing_compose:
        ok(f".env.example: documents all {len(known)} program variables and all {len(variables)} compose variables")
else:
    fail(".env.example is missing")
json.dump({k: v for k, v in example_values.items() if k in known}, open(example_out, "w"))

# ---- one Temporal release: the image tags default to the one `npm run cluster` builds
versions_env = open(os.path.join(root, "deploy", "temporal", "versions.env"), encoding="utf-8").read()
pinned = re.search(r"^TEMPORAL_SERVER_VERSION=v?(\S+)", versions_env, re.M)
tags = set(re.findall(r"temporalio/(?:server|admin-tools):\$\{TEMPORAL_VERSION:-([^}]+)\}", open(compose_path, encoding="utf-8").read()))
if not pinned:
    fail("deploy/temporal/versions.env: no TEMPORAL_SERVER_VERSION")
elif tags != {pinned.group(1)}:
    fail(f"temporalio/server and admin-tools tags default to {sorted(tags)}, deploy/temporal/versions.env pins {pinned.group(1)}")
else:
    ok(f"Temporal {pinned.group(1)}: image tags match deploy/temporal/versions.env (the release npm run cluster builds)")

for n in notes:
    print(f"  note {n}")
sys.exit(1 if errors else 0)
PY
then
  status=1
fi

echo "[3/3] .env.example values against config/env.ts"
if [ -x "$root/node_modules/.bin/tsx" ]; then
  # shellcheck disable=SC2016  # the ${...} below are JavaScript template literals
  if (cd "$root" && EXAMPLE_ENV="$example_env_json" node_modules/.bin/tsx -e '
    import fs from "node:fs";
    import { parseConfig } from "./config/env";
    const example = JSON.parse(fs.readFileSync(process.env.EXAMPLE_ENV as string, "utf8"));
    try {
      parseConfig(example);
      console.log(`  ok   ${Object.keys(example).length} example values (commented ones included) pass the config schema`);
    } catch (err) {
      for (const p of (err as { problems?: string[] }).problems ?? [String(err)]) console.log(`  FAIL .env.example: ${p}`);
      process.exit(1);
    }'); then :; else status=1; fi
else
  echo "  skip node_modules not installed (npm ci) - example values not checked"
fi

if [ "$status" = 0 ]; then
  echo "validate-compose: OK"
else
  echo "validate-compose: FAILED" >&2
fi
exit "$status"
