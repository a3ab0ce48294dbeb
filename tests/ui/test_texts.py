"""The interface texts: both languages complete, really translated, with help for every input."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from samantha.core.settings import PARAMETERS
from samantha.ui.words.table import KEYS, LANGUAGES, Text, guess_language, texts

CHAT_KEYS = """
chat_tab start stop_next stop_all clean_history replace_response unload_model system_prompt
feedback_loop previous_response user_prompt prompt_grammar models add_model add_model_button
single_response reset_model shuffle fast_mode learning_mode learning_off learning_step loops
responses auto_run_code stop_condition cumulative random_params output_only hide_html sampling
n_ctx max_tokens temperature tfs_z top_p min_p typical_p top_k presence_penalty
frequency_penalty repeat_penalty penalty_last_n stop seed deterministic stochastic chain_order
output next_token copy_last copy_all copy_code run_code code_box code_result figures files
response_html responses_html read_aloud auto_read sounds voice speech learning stages candidates
probabilities_plot ranks_plot
entropy_plot unlikely vocabulary vocab_from vocab_to vocab_show metadata import_system
import_previous import_prompts import_models import_pdf_pages import_pdf_whole pdf_instruction
pdf_final save_prompts examples_user examples_system
""".split()
HISTORY_KEYS = """
history_tab history_search history_refresh runs run_id open_run compare_run run_view
export_format export rerun
""".split()
MODELS_KEYS = """
models_tab folders add_folder add_folder_button model_list refresh_models download_url keep
download download_status links_text extract_links model_info
""".split()
MESSAGE_KEYS = """
msg_no_prompt msg_no_model msg_stopped msg_run_saved msg_copied msg_no_code msg_download_done
msg_folder_added msg_no_runs msg_working msg_prompt_ready msg_no_trace msg_traces
msg_voice_no_model msg_voice_no_microphone msg_voice_listening msg_voice_heard
msg_voice_not_command msg_voice_closed msg_voice_added msg_tool_running msg_tool_no_table
msg_tools_stopped msg_tool_packaged msg_inside_layer msg_inside_draws msg_inside_seed
""".split()
PANEL_KEYS = """
app_tagline model_in_use help_toggle runs_list runs_none runs_stop status_ready status_loading
status_cycle status_tokens plan_prompts plan_models plan_cycles plan_lines conversation
files_examples voice_panel loop_guard ending_repetition stage_line candidate_headers
axis_probability axis_token axis_rank axis_entropy ranks_none history_headers model_headers
trace_viewer trace_cycle trace_step trace_show rerun_changes resume
""".split()
REQUIRED = CHAT_KEYS + HISTORY_KEYS + MODELS_KEYS + MESSAGE_KEYS + PANEL_KEYS

# Controls the user types in, picks, ticks or presses: each one explains itself.
INPUTS = """
start stop_next stop_all clean_history replace_response unload_model system_prompt feedback_loop
previous_response user_prompt models add_model add_model_button single_response reset_model
shuffle fast_mode learning_mode layer_view loops responses auto_run_code stop_condition cumulative
random_params output_only hide_html n_ctx max_tokens temperature tfs_z top_p min_p typical_p
top_k presence_penalty frequency_penalty repeat_penalty penalty_last_n stop seed deterministic
stochastic next_token copy_last copy_all copy_code run_code code_box read_aloud auto_read sounds
voice
vocab_from vocab_to
vocab_show import_system import_previous import_prompts import_models import_pdf_pages
import_pdf_whole pdf_instruction pdf_final save_prompts
examples_user examples_system history_search history_refresh run_id open_run compare_run
export_format
export rerun folders add_folder add_folder_button refresh_models download_url keep download
links_text extract_links loop_guard help_toggle runs_list trace_cycle trace_step rerun_changes
resume parallel listen voice_model voice_model_folder tool_table tool_written tool_log
inside_layer inside_draws inside_seed
""".split()

# Names that are the same in every language: the parameters users also write in prompt scripts,
# and words Portuguese uses as they are (prompt, token, loop).
TECHNICAL = set(PARAMETERS) | {"stop", "status_tokens", "status_speed", "plan_prompts",
                               "plan_loops", "trace_step", "trace_token", "board_speed"}

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


def test_both_languages_have_exactly_the_same_keys() -> None:
    assert set(texts("en")) == set(texts("pt")) == set(KEYS)
    assert len(KEYS) == len(set(KEYS)), "a key is written twice in the table"


def test_every_required_key_exists(lang: str) -> None:
    missing = [key for key in REQUIRED if key not in texts(lang)]
    assert not missing


def test_values_are_texts_with_non_empty_labels(lang: str) -> None:
    for key, text in texts(lang).items():
        assert isinstance(text, Text)
        assert text.label.strip(), key
        assert text.label == text.label.strip(), key
        assert text.help == text.help.strip(), key


def test_every_input_control_has_a_help_text(lang: str) -> None:
    table = texts(lang)
    missing = [key for key in INPUTS if len(table[key].help.split()) < 6]
    assert not missing


def test_messages_have_no_help_and_titles_no_help(lang: str) -> None:
    table = texts(lang)
    for key in MESSAGE_KEYS + ["chat_tab", "history_tab", "models_tab", "learning_off",
                               "learning_step"]:
        assert table[key].help == "", key


def test_portuguese_is_really_translated() -> None:
    en, pt = texts("en"), texts("pt")
    same = [key for key in KEYS if en[key].label == pt[key].label and key not in TECHNICAL]
    assert not same, f"labels left in English: {same}"
    translated = [key for key in KEYS if en[key].label != pt[key].label]
    assert len(translated) > len(KEYS) * 0.75
    assert all(en[key].help != pt[key].help for key in KEYS if en[key].help)
    accents = set("áàâãéêíóôõúçÁÀÂÃÉÊÍÓÔÕÚÇ")
    assert sum(1 for key in KEYS if accents & set(pt[key].label + pt[key].help)) > 30
    assert not any(accents & set(en[key].label + en[key].help) for key in KEYS)


def test_placeholders_match_between_languages() -> None:
    en, pt = texts("en"), texts("pt")
    for key in KEYS:
        for field in ("label", "help"):
            assert sorted(PLACEHOLDER.findall(getattr(en[key], field))) == sorted(
                PLACEHOLDER.findall(getattr(pt[key], field))), (key, field)


def test_messages_format_with_their_placeholders(lang: str) -> None:
    table = texts(lang)
    for key in MESSAGE_KEYS:
        label = table[key].label
        if PLACEHOLDER.search(label.replace("{}", "")):  # named placeholders: checked below
            continue
        count = label.count("{}")
        filled = label.format(*(f"<{i}>" for i in range(count)))
        assert all(f"<{i}>" in filled for i in range(count)), key
    assert "42" in table["msg_run_saved"].label.format(42)
    assert "model.gguf" in table["msg_download_done"].label.format("model.gguf")
    assert "/models" in table["msg_folder_added"].label.format("/models")


def test_named_placeholders_format(lang: str) -> None:
    table = texts(lang)
    assert "7" in table["msg_no_trace"].label.format(cycle=7, run=3)
    assert "Token 4" in table["stage_line"].label.format(step=4, piece="x", id=1, rank=1, p=1,
                                                         entropy=0)
    assert "2" in table["status_cycle"].label.format(cycle=2, total=6)
    assert "17" in table["msg_inside_layer"].label.format(layer=30, last=17)
    assert "500" in table["msg_inside_draws"].label.format(most="10,000", n=500)
    assert "-1" in table["msg_inside_seed"].label.format(most="4,294,967,295", seed=-1)


def test_exact_english_messages() -> None:
    en = texts("en")
    assert en["msg_no_prompt"].label == "Write at least one prompt in the USER prompt field."
    assert en["msg_stopped"].label == "Stopped."
    assert en["msg_run_saved"].label == "Run {} saved in the history."
    assert en["msg_no_code"].label == "The last response has no Python code."
    assert en["msg_download_done"].label == "Saved {}"
    assert en["msg_folder_added"].label == "Added {}"
    assert en["msg_working"].label == "Loading the model…"
    assert en["msg_prompt_ready"].label == (
        "The prompt is ready: press Next token to choose each token.")


def test_prompt_grammar_is_one_line_covering_the_whole_grammar(lang: str) -> None:
    reminder = texts(lang)["prompt_grammar"].label
    assert "\n" not in reminder
    for part in ("$$$", "---", "[", "[[", "]]", "{temperature=0.7}"):
        assert part in reminder, part


def test_help_texts_state_the_facts_of_our_sampler(lang: str) -> None:
    table = texts(lang)
    chain = table["chain_order"].help
    stages = ["top-k", "tail-free", "top-p", "min-p"]
    assert [chain.index(s) for s in stages] == sorted(chain.index(s) for s in stages)
    random_help = table["random_params"].help
    for bound in (("0.1", "1.0"), ("0", "0.3"), ("1.0", "1.2")):
        for number in bound:
            assert number in random_help or number.replace(".", ",") in random_help
    assert "MODEL_FOR_TESTING.gguf" in table["keep"].help
    assert "default" in table["models"].help and "---" in table["models"].help
    assert "64" in table["penalty_last_n"].help
    for key in ("deterministic", "stochastic"):
        assert "temperature" in table[key].help and "top_k 40" in table[key].help
    for pace in ("0.3" if lang == "en" else "0,3", "10"):
        assert pace in table["learning_mode"].help
    assert table["learning_off"].label in table["learning_mode"].help
    assert table["learning_step"].label in table["learning_mode"].help


def test_the_mapping_and_its_texts_are_read_only() -> None:
    table = texts("en")
    with pytest.raises(TypeError):
        table["start"] = Text("x")  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        table["start"].label = "x"  # type: ignore[misc]
    assert texts("en")["start"].label == "Start"


def test_text_defaults_to_no_help() -> None:
    assert Text("Stopped.").help == ""


@pytest.mark.parametrize("lang", ["xx", "", "EN", "pt_BR", "fr"])
def test_unknown_language_is_refused(lang: str) -> None:
    with pytest.raises(ValueError, match="en, pt"):
        texts(lang)


@pytest.mark.parametrize("environ, expected", [
    ({}, "en"),
    ({"LANG": "pt_BR.UTF-8"}, "pt"),
    ({"LANG": "pt_PT"}, "pt"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}, "pt"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "pt_BR.UTF-8"}, "en"),
    ({"LC_MESSAGES": "pt_BR", "LANG": "en_US"}, "pt"),
    ({"LC_MESSAGES": "C.UTF-8", "LANG": "pt_BR"}, "en"),
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "pt_BR"}, "pt"),  # empty counts as unset
    ({"LANGUAGE": "pt_BR", "LANG": "en_US"}, "en"),  # only the three variables count
    ({"LANG": "PT_br"}, "pt"),
])
def test_guess_language(environ: dict[str, str], expected: str) -> None:
    assert guess_language(environ) == expected
    assert guess_language(environ) in LANGUAGES
