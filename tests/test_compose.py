"""The Compose set publishes only its reverse proxy: web is reachable through it alone, so
the one proxy the app trusts for X-Forwarded-For (TRUSTED_PROXY_COUNT=1) is the only way
in, and no client can forge the address rate limits and the security log see."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def services() -> dict[str, list[str]]:
    """Each service of docker-compose.yml with its lines (the file's two-space layout)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    found: dict[str, list[str]] = {}
    current = ""
    for line in block.splitlines():
        name = re.fullmatch(r"  ([a-z][a-z0-9_-]*):\s*", line)
        if name:
            current = name.group(1)
            found[current] = []
        elif current:
            found[current].append(line)
    return found


def keys(lines: list[str]) -> set[str]:
    return {m.group(1) for line in lines if (m := re.fullmatch(r"    ([a-z_]+):.*", line))}


def test_only_the_proxy_is_published_and_web_is_not() -> None:
    found = services()
    assert {"proxy", "web", "worker", "beat", "postgres", "redis"} <= set(found)
    assert "ports" not in keys(found["web"])
    published = {name for name, lines in found.items() if "ports" in keys(lines)}
    assert published == {"proxy"}
    proxy = "\n".join(found["proxy"])
    assert re.search(r"image: (caddy|nginx):", proxy)
    assert '"443:443"' in proxy


def test_the_proxy_config_is_in_the_repository_and_forwards_to_web() -> None:
    proxy = "\n".join(services()["proxy"])
    mount = re.search(r"- \./(\S+):/etc/caddy/Caddyfile:ro", proxy)
    assert mount, proxy
    lines = (ROOT / mount.group(1)).read_text().splitlines()
    caddyfile = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "reverse_proxy web:8000" in caddyfile
    # Trusting a client's X-Forwarded-For would let it choose its address again.
    assert "trusted_proxies" not in caddyfile


def test_the_app_trusts_exactly_one_proxy() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r'^  TRUSTED_PROXY_COUNT: "1"$', text, flags=re.MULTILINE)
