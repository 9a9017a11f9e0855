"""The README starts with the two commands, and CI runs the second one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```sh\n")[1:3]
    return [block.split("\n```")[0].strip() for block in blocks]


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = text.index("```sh")
    assert text[:first_block].count("```") == 0, "nothing but a title may come before the two commands"
    main_job, tests = readme_commands()
    for command in (main_job, tests):
        assert command.startswith("apt-get update && apt-get install -y ")
    assert "rsnn train examples/" in main_job and "rsnn plot " in main_job
    assert "ctest" in tests


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1].strip() == readme_commands()[1]


def test_both_commands_install_the_same_packages():
    main_job, tests = readme_commands()
    packages = [command.split(" && ")[1] for command in (main_job, tests)]
    assert packages[0] == packages[1]
