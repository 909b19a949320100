"""Generate docs/cli.md from the commands' own --help, so the reference never drifts.

    python -m weaklink.cli.docs > docs/cli.md
"""

from __future__ import annotations

import click

from weaklink.cli import main


def _commands(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        command = group.commands[name]
        yield [*prefix, name], command
        if isinstance(command, click.Group):
            yield from _commands(command, [*prefix, name])


def _help(path: list[str], command: click.Command) -> str:
    ctx = click.Context(command, info_name=" ".join(["weaklink", *path]), terminal_width=100,
                        max_content_width=100, help_option_names=["-h", "--help"])  # as main's context gives
    return command.get_help(ctx)


def render() -> str:
    parts = ["# CLI reference", "",
             "Generated from `--help` by `python -m weaklink.cli.docs > docs/cli.md`; a test keeps it in step.",
             "", "## weaklink", "", "```", _help([], main), "```", ""]
    for path, command in _commands(main, []):
        parts += [f"## weaklink {' '.join(path)}", "", "```", _help(path, command), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
