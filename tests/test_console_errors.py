"""One-line errors of the command line (``console.one_line_errors``): the single place
where a known problem or a file-system error becomes one line on stderr and exit 2."""

from __future__ import annotations

import errno

import pytest

from hiresim.console import guarded, one_line_errors


class Known(Exception):
    pass


def _exit(capsys, raise_what: BaseException, debug: bool = False) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info, one_line_errors(debug, (Known,), "out/dir"):
        raise raise_what
    return int(info.value.code or 0), capsys.readouterr().err


def test_a_known_problem_is_one_line_with_exit_2(capsys):
    code, err = _exit(capsys, Known("the folder is not hiresim's"))
    assert (code, err) == (2, "error: the folder is not hiresim's\n")


def test_a_file_error_names_its_file_or_else_the_given_place(capsys):
    code, err = _exit(capsys, PermissionError(errno.EACCES, "Permission denied", "a/b.html"))
    assert (code, err) == (2, "error: a/b.html: Permission denied\n")
    code, err = _exit(capsys, OSError(errno.ENOSPC, "No space left on device"))
    assert (code, err) == (2, "error: out/dir: No space left on device\n")


def test_debug_keeps_the_error_and_other_errors_pass_through():
    with pytest.raises(Known), one_line_errors(True, (Known,), "x"):
        raise Known("shown with its traceback")
    with pytest.raises(ValueError), one_line_errors(False, (Known,), "x"):
        raise ValueError("not a known problem")


def test_guarded_returns_the_value_and_ctrl_c_exits_130(capsys):
    assert guarded(False, "run", None, lambda: 7) == 7

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as info:
        guarded(False, "run", "hiresim run x.yaml --resume", interrupted)
    assert info.value.code == 130
    assert "continue with: hiresim run x.yaml --resume" in capsys.readouterr().err


def test_guarded_file_error_without_a_place_says_output(capsys):
    def full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SystemExit) as info:
        guarded(False, "run", None, full)
    assert info.value.code == 2
    assert capsys.readouterr().err == "error: output: No space left on device\n"
