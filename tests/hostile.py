"""Hostile text for the safety tests: markup and script in every disguise a person could type
into a field, and Markdown built to make a renderer work as hard as it can."""

from collections.abc import Callable

# Each entry is one line (no line break), so that it fits a name or a label as well as a text.
XSS: list[str] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)> <https://evil.example/auto>",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;b&#x3E;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    '"><script>alert(1)</script>',
    "'onmouseover='alert(1)' x='",
    "<style>*{background:url(https://evil.example/bg)}</style>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)} `${alert(1)}`",
    "\u202eexe.txt evil",  # a right-to-left override
    "![pixel](https://evil.example/pixel.png)",
    "<object data=javascript:alert(1)></object><embed src=https://evil.example/x>",
    "<base href=https://evil.example/><meta http-equiv=refresh content=0;url=https://evil.example>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<form action=https://evil.example><button formaction=javascript:alert(1)>go</button></form>",
    "</textarea><script>alert(1)</script><!--",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "__proto__ constructor prototype",
    "<b onmouseover=alert(1)>" + "A" * 3000 + "</b>",  # a long line
]

# Entries that read as a Markdown block (a reference definition must start its own line).
XSS_BLOCKS: list[str] = [
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "[y][data]\n\n[data]: data:text/html,<script>alert(1)</script>",
    "<div onclick=alert(1)>\n\n*x*\n\n</div>",
    "```\n</code></pre><script>alert(1)</script>\n```",
]


def fitted(entries: list[str], limit: int) -> list[str]:
    """The entries cut to a field's length limit."""
    return [entry[:limit] for entry in entries]


# Markdown that costs a renderer the most, each at the size given (characters, about).
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "nested quotes": lambda size: ">" * size + " deep",
    "quote lines": lambda size: "\n".join(">" * (1 + i % 60) + " a" for i in range(size // 32)),
    "open brackets": lambda size: "[" * size,
    "nested links": lambda size: "[" * (size // 5) + "x" + "](y)" * (size // 5),
    "images": lambda size: "![" * (size // 2),
    "stars": lambda size: "*" * size,
    "emphasis mix": lambda size: "*_" * (size // 2),
    "nested lists": lambda size: "\n".join("  " * (i % 40) + "- a" for i in range(size // 40)),
    "table": lambda size: "|a|b|\n|-|-|\n" + "|x|y|\n" * (size // 6),
    "empty table cells": lambda size: "|a|b|\n|-|-|\n" + "|||\n" * (size // 4),
    "wide table": lambda size: (
        "|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n" + ("|" + "x|" * 2000 + "\n") * (size // 4000)
    ),
    "reference flood": lambda size: (
        "".join(f"[r{i}]: https://e.example/{i}\n" for i in range(size // 60))
        + " ".join(f"[r{i}]" for i in range(size // 60))
    ),
    "link to a long address": lambda size: "[a](" + "x" * size,
    "unclosed links": lambda size: "[a](x" * (size // 5),
    "heading of spaces": lambda size: "# a" + " " * size + "b",
    "underscores": lambda size: "._a" * (size // 3),
    "backticks": lambda size: "`" * size,
    "angle brackets": lambda size: "<" * size,
    "ampersands": lambda size: "a&b " * (size // 4),
}
