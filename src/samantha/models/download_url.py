"""Model links: turn what the user pasted into a normalised download URL, or a repository name.

Hugging Face links are recognised on huggingface.co (and hf.co) and on the host named by the
``HF_ENDPOINT`` environment variable; they are rewritten onto that endpoint, so a mirror (or a
test server) receives every request. The environment is read at call time, never at import.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from samantha.core.errors import ModelError

HF_DEFAULT_ENDPOINT = "https://huggingface.co"
EXAMPLE_LINK = (
    "https://huggingface.co/unsloth/gemma-3-270m-it-GGUF/resolve/main/gemma-3-270m-it-Q4_K_M.gguf"
)
_HUB_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_FILE_MARKERS = ("resolve", "blob", "raw")
_REPO_NAME = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass(frozen=True)
class ModelURL:
    """A model link, normalised. ``kind`` is "hf" for Hugging Face files, "http" otherwise."""

    url: str
    filename: str
    kind: Literal["hf", "http"]
    repo_id: str | None = None
    revision: str | None = None
    path_in_repo: str | None = None


@dataclass(frozen=True)
class RepoRef:
    """A Hugging Face repository, a revision and an optional folder inside it."""

    repo_id: str
    revision: str = "main"
    folder: str = ""


def hf_endpoint() -> str:
    """The Hugging Face host: ``$HF_ENDPOINT`` when set, else https://huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or HF_DEFAULT_ENDPOINT).strip().rstrip("/")


def parse_model_url(text: str) -> ModelURL:
    """Check a pasted model link and normalise it (``blob`` -> ``resolve``, query dropped)."""
    raw = text.strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _invalid(raw, "it is not an http(s) link")
    endpoint = hf_endpoint()
    hub_path = _hub_path(parts, endpoint)
    on_hub = (parts.hostname or "").lower() in _HUB_HOSTS
    if hub_path is not None and (on_hub or _is_hub_file(hub_path)):
        return _parse_hub_file(hub_path, endpoint, raw)
    path = unquote(parts.path)
    if not path.lower().endswith(".gguf"):
        raise _invalid(raw, "its path does not end in .gguf")
    filename = _safe_filename(path.rsplit("/", 1)[-1], raw)
    url = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, ""))
    return ModelURL(url=url, filename=filename, kind="http")


def parse_repo_ref(text: str) -> RepoRef:
    """``org/repo`` or a repository link (``…/org/repo``, ``…/tree/<rev>/<folder>``, or a file
    link inside the repository)."""
    raw = text.strip()
    if "://" not in raw:
        if _REPO_NAME.match(raw.strip("/")):
            return RepoRef(raw.strip("/"))
        raise _invalid_repo(raw)
    hub_path = _hub_path(urlsplit(raw), hf_endpoint())
    if hub_path is None:
        raise _invalid_repo(raw)
    segments = [s for s in hub_path.split("/") if s]
    if segments[:1] in (["datasets"], ["spaces"]):
        raise ModelError(f"{raw} is a dataset or Space, not a model repository. {_REPO_HINT}")
    for index in (1, 2):
        if len(segments) > index + 1 and segments[index] in ("tree", *_FILE_MARKERS):
            folder = [unquote(s) for s in segments[index + 2:]]
            if segments[index] != "tree":
                folder = folder[:-1]  # a file link: list the folder that holds it
            return RepoRef("/".join(segments[:index]), unquote(segments[index + 1]),
                           "/".join(folder))
    if 1 <= len(segments) <= 2:
        return RepoRef("/".join(segments))
    raise _invalid_repo(raw)


def resolve_url(endpoint: str, repo_id: str, revision: str, path_in_repo: str) -> str:
    """The download link of one file of a repository."""
    return f"{endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path_in_repo)}"


def _hub_path(parts: SplitResult, endpoint: str) -> str | None:
    """The path of a Hugging Face link relative to its host, or None for another site."""
    host = (parts.hostname or "").lower()
    if host in _HUB_HOSTS:
        return parts.path
    hub = urlsplit(endpoint)
    if host == (hub.hostname or "").lower() and parts.port == hub.port:
        prefix = hub.path.rstrip("/")
        if parts.path.startswith(prefix + "/"):
            return parts.path[len(prefix):]
    return None


def _file_marker(segments: list[str]) -> int | None:
    """Where "resolve"/"blob"/"raw" stands: 1 for old single-name repos, 2 for "org/name"."""
    return next((i for i in (1, 2) if len(segments) > i + 2 and segments[i] in _FILE_MARKERS),
                None)


def _is_hub_file(path: str) -> bool:
    return _file_marker([s for s in path.split("/") if s]) is not None


def _parse_hub_file(path: str, endpoint: str, raw: str) -> ModelURL:
    segments = [s for s in path.split("/") if s]
    index = _file_marker(segments)
    if index is None:
        if "tree" in segments or len(segments) <= 2:
            raise ModelError(
                f"{raw} is a repository page, not a file. Open its 'Files and versions' tab and "
                f"copy the link of one .gguf file, for example {EXAMPLE_LINK}"
            )
        raise _invalid(raw, "it is not a Hugging Face file link (…/<org>/<repo>/resolve/…)")
    repo_id = "/".join(segments[:index])
    revision = unquote(segments[index + 1])
    path_in_repo = "/".join(unquote(s) for s in segments[index + 2:])
    if not path_in_repo.lower().endswith(".gguf"):
        raise _invalid(raw, f"the file {path_in_repo!r} is not a .gguf file")
    filename = _safe_filename(path_in_repo.rsplit("/", 1)[-1], raw)
    return ModelURL(
        url=resolve_url(endpoint, repo_id, revision, path_in_repo), filename=filename, kind="hf",
        repo_id=repo_id, revision=revision, path_in_repo=path_in_repo,
    )


def _safe_filename(name: str, raw: str) -> str:
    if name in ("", ".", "..", ".gguf") or any(c in name for c in "/\\\0"):
        raise _invalid(raw, f"its file name {name!r} cannot be used as a file name")
    return name


def _invalid(raw: str, why: str) -> ModelError:
    shown = raw if len(raw) <= 200 else raw[:197] + "..."
    return ModelError(
        f"{shown!r} is not a model download link: {why}. Paste the link of a .gguf file: a "
        f"Hugging Face 'resolve' or 'blob' link such as {EXAMPLE_LINK}, or any http(s) link "
        "whose path ends in .gguf."
    )


_REPO_HINT = "Give a model repository as org/name or its link, e.g. unsloth/gemma-3-270m-it-GGUF."


def _invalid_repo(raw: str) -> ModelError:
    return ModelError(f"{raw!r} is not a Hugging Face model repository. {_REPO_HINT}")
