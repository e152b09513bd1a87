"""The deployment check says where run-time files would go wrong: an erasure ledger that cannot be
written would fail every erasure after it commits."""

from common.checks import files_go_where_the_operator_said


def ids(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {message.id for message in files_go_where_the_operator_said()}


def test_a_ledger_whose_folder_cannot_be_made_is_reported(settings, tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    settings.ERASURE_LEDGER_PATH = tmp_path / "not-a-folder" / "ledger.jsonl"
    settings.VAR_DIR_SET = True

    assert ids(settings) == {"common.W004"}


def test_a_ledger_in_a_folder_still_to_be_made_under_a_writable_one_is_fine(settings, tmp_path):
    settings.ERASURE_LEDGER_PATH = tmp_path / "ledger" / "erasures.jsonl"
    settings.VAR_DIR_SET = True

    assert ids(settings) == set()


def test_var_dir_left_to_the_working_directory_is_reported(settings, tmp_path):
    settings.ERASURE_LEDGER_PATH = tmp_path / "erasures.jsonl"
    settings.VAR_DIR_SET = False

    assert ids(settings) == {"common.W003"}
