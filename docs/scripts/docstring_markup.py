"""A griffe extension for the docs build: reST habits of the docstrings, made Markdown.

Two rewrites, applied to every docstring of tunekit before mkdocstrings renders it:

* Doctest blocks (``>>>`` lines and their output) become fenced ``pycon`` code blocks, so the
  ``Example`` sections show as code rather than as nested quotes.
* Sphinx roles become cross-references (below).

tunekit's docstrings write ``:class:`~tunekit.trial.Trial``` and ``:meth:`ask``` (the roles an
Optuna user knows). mkdocstrings does not read them, so they would show as ``:class:Trial``.
This extension rewrites each role into an *optional* autorefs link: a link when the target is
rendered somewhere in the site, plain code when it is not (no warning either way, so
``mkdocs build --strict`` stays about real problems). Names are resolved in the scope of the
object whose docstring holds them, as Sphinx does.

Loaded by ``mkdocs.yml`` (``extensions: [docs/scripts/docstring_markup.py:DocstringMarkup]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import griffe

__all__ = ["DocstringMarkup", "fence_doctests", "rewrite_roles"]

# :class:`Name`, :func:`~pkg.mod.f`, :py:meth:`Study.ask`, :mod:`.kernel`, ...
_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const|type):`(?P<tilde>~?)(?P<target>[^`]+)`"
)


def rewrite_roles(text: str, resolve: Callable[[str], str | None]) -> str:
    """Rewrite every Sphinx role of ``text``; ``resolve`` maps a written target to a full path.

    ``:class:`~a.b.C``` shows ``C``, ``:class:`a.b.C``` shows ``a.b.C``; a target that does not
    resolve becomes plain inline code.
    """

    def replace(match: re.Match[str]) -> str:
        target = match["target"].strip().removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if match["tilde"] else target.lstrip(".")
        path = resolve(target)
        if path is None:
            return f"`{shown}`"
        return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'

    return _ROLE.sub(replace, text)


def fence_doctests(text: str) -> str:
    """Wrap each doctest block (a ``>>>`` line up to the next blank line) in a ``pycon`` fence.

    Blocks already inside a fence are left alone.
    """
    lines = text.split("\n")
    out: list[str] = []
    in_fence = in_doctest = False
    indent = ""
    for line in lines:
        stripped = line.strip()
        if in_doctest and not stripped:
            out.append(f"{indent}```")
            in_doctest = False
        elif not in_doctest and not in_fence and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_doctest = True
        elif not in_doctest and stripped.startswith("```"):
            in_fence = not in_fence
        out.append(line)
    if in_doctest:
        out.append(f"{indent}```")
    return "\n".join(out)


def _resolver(obj: griffe.Object) -> Callable[[str], str | None]:
    module = obj if obj.is_module else obj.module

    def resolve(target: str) -> str | None:
        if target.startswith("."):
            # Relative to the module (or package) holding the docstring: ``:mod:`.kernel```.
            base = module.path if module.is_package else module.path.rsplit(".", 1)[0]
            return f"{base}{target}"
        first, _, rest = target.partition(".")
        try:
            head = obj.resolve(first)
        except (griffe.NameResolutionError, AttributeError, KeyError):
            # An absolute dotted path (``tunekit.trial.Trial``) or a name from elsewhere.
            return target if "." in target else None
        return f"{head}.{rest}" if rest else head

    return resolve


class DocstringMarkup(griffe.Extension):
    """Fence the doctests and rewrite the Sphinx roles of every docstring of the package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
        self._rewrite(pkg)

    def _rewrite(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            text = fence_doctests(obj.docstring.value)
            obj.docstring.value = rewrite_roles(text, _resolver(obj))
        for member in obj.members.values():
            if not member.is_alias:
                self._rewrite(member)
