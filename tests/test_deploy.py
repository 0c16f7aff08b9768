"""The deployment files stay true to the code: compose.yaml and the Kubernetes example run
webhook workers on PostgreSQL behind a proxy, with the settings the worker needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.cli.main import build_parser

ROOT = Path(__file__).parents[1]


def _run_args(command: list[str]) -> Any:
    assert command[0] == "zhaiyao"
    return build_parser().parse_args(command[1:])


def test_compose_runs_postgres_two_workers_and_a_proxy() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    workers = {n: s for n, s in services.items() if "zhaiyao" in " ".join(s.get("command", []))}
    assert len(workers) >= 2
    for service in workers.values():
        args = _run_args(service["command"])
        assert args.command == "run" and args.webhook.startswith("https://")
        env = service["environment"]
        assert env["ZHAIYAO_DATABASE_URL"].startswith("postgresql://")
        assert "ZHAIYAO_WEBHOOK_SECRET" in env and service["stop_grace_period"] == "30s"
        assert "/healthz" in " ".join(service["healthcheck"]["test"])
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["caddy"]["image"].startswith("caddy:")
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert all(f"{name}:8443" in caddyfile for name in workers)


def test_the_kubernetes_example_takes_its_secrets_from_a_secret() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/kubernetes/zhaiyao.yaml").read_text("utf-8")))
    kinds = {doc["kind"]: doc for doc in docs}
    assert {"Deployment", "Service", "Secret"} <= set(kinds)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 30
    (container,) = pod["containers"]
    args = _run_args(container["args"])
    assert args.command == "run" and args.webhook
    from_secret = {
        e["name"]: e["valueFrom"]["secretKeyRef"]["key"]
        for e in container["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert set(from_secret) == {
        "ZHAIYAO_DATABASE_URL",
        "ZHAIYAO_TELEGRAM_TOKEN",
        "ZHAIYAO_WEBHOOK_SECRET",
    }
    assert set(from_secret.values()) <= set(kinds["Secret"]["stringData"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
