"""The training output of `rsnn train` on a terminal and in a pipe.

On a terminal (a pseudo-terminal here) each loop's line is rewritten in place,
and inside a loop that runs long the line shows how far the loop has got
("> loop 2: 40% ..."); RSNN_PROGRESS_AFTER=0 makes every loop long enough.
Into a pipe every loop is one plain line and there is no in-loop indicator.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = HERE / "data" / "tiny.toml"  # 3 loops
CLI = Path(os.environ.get("RSNN_CLI", ROOT / "build" / "rsnn"))


@pytest.fixture(scope="module")
def cli() -> Path:
    if not CLI.is_file():
        pytest.skip(f"rsnn CLI not found at {CLI}: build it (target rsnn_cli) or set RSNN_CLI")
    return CLI


def train_command(cli: Path, out: Path) -> list[str]:
    return [str(cli), "train", str(TINY), "--out", str(out), "--threads", "1"]


def test_on_a_terminal_the_line_is_rewritten_and_shows_progress_inside_a_loop(cli, tmp_path):
    primary, secondary = pty.openpty()
    environment = dict(os.environ, RSNN_PROGRESS_AFTER="0")
    process = subprocess.Popen(train_command(cli, tmp_path / "run"), stdout=secondary, stderr=subprocess.PIPE,
                               env=environment)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process has exited
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert process.wait(timeout=300) == 0, process.stderr.read().decode()
    text = output.decode()
    assert "\r\x1b[K" in text, "the loop line is rewritten in place"
    inside = re.findall(r"> loop (\d): (\d+)%", text)
    assert inside, f"no in-loop indicator in {text!r}"
    assert {loop for loop, _ in inside} == {"1", "2", "3"}
    assert all(0 <= int(percent) <= 100 for _, percent in inside)
    assert re.search(r"loop +3/3 +elapsed .* ETA 0 s", text)


def test_into_a_pipe_every_loop_is_one_plain_line(cli, tmp_path):
    environment = dict(os.environ, RSNN_PROGRESS_AFTER="0")
    result = subprocess.run(train_command(cli, tmp_path / "run"), capture_output=True, text=True, timeout=300,
                            env=environment)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout and "> loop" not in result.stdout
    loops = [line for line in result.stdout.splitlines() if re.match(r"loop +\d/3 +elapsed", line)]
    assert len(loops) == 3
    assert all("correlation while learning" in line for line in loops)
