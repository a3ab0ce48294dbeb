"""A stored run's configuration as a chain file: read back, it is the same chain (its remote
backends included)."""

from __future__ import annotations

import tomllib

from samantha.core.chain import ChainConfig, chain_file_values
from samantha.documents.chainfile import config_to_toml


def test_a_chain_with_backends_round_trips_through_toml() -> None:
    config = ChainConfig.from_dict({
        "prompts": "Hi.\nThen this \"quoted\" one.", "models": ["gemma@lab", "default"],
        "concurrency": 3, "retry_on_other": True,
        "backends": {"lab": {"url": "http://10.0.0.2:8080", "kind": "llama-server",
                             "api_key_env": "LAB_KEY"}, "o": "http://10.0.0.3:11434"}})
    text = config_to_toml(config.to_dict(), "a title")
    assert "[backends]" in text and '"lab" = { "url" = "http://10.0.0.2:8080"' in text
    again = ChainConfig.from_dict(chain_file_values(tomllib.loads(text), "exported"))
    assert again == config


def test_checks_and_a_judge_with_its_own_rubric_round_trip_through_toml() -> None:
    import tomllib

    from samantha.core.chain import ChainConfig, chain_file_values
    from samantha.documents.chainfile import config_to_toml

    config = ChainConfig(prompts="{check=json} hi", checks=("words:..50", "icontains:x"),
                         judge={"models": ["smollm2"], "pairwise": True,
                                "rubric": {"criteria": {"clear": "Is it \"clear\"?"},
                                           "scale": [0, 3]}})
    text = config_to_toml(config.to_dict())
    again = ChainConfig.from_dict(chain_file_values(tomllib.loads(text), "exported"))
    assert again == config
