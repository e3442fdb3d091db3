"""The vocabulary of one language: words matched against one lemma and patterns over a line of lemmas."""
import re


def _expand(vocabulary: dict[str, str], pattern: str) -> str:
    """{NAME} replaced by the vocabulary's alternatives for NAME."""
    while re.search(r"\{[A-Z_]+\}", pattern):
        pattern = re.sub(r"\{([A-Z_]+)\}", lambda name: f"(?:{vocabulary[name.group(1)]})", pattern)
    return pattern


def _compile(vocabulary: dict[str, str], pattern: str) -> re.Pattern:
    """A pattern over a line of lemmas: {NAME} is a word of the vocabulary, <n> up to n words (never across a
    semicolon); the pattern matches whole words only."""
    body = _expand(vocabulary, pattern)
    body = re.sub(r"<(\d+)>", lambda gap: "(?:[^ ;]+ ){0,%s}" % gap.group(1), body)
    # Alternatives may each capture a quantity "q": the groups are numbered q1, q2, ... (see Hit.group).
    counts: dict[str, int] = {}

    def numbered(group: re.Match) -> str:
        counts[group.group(1)] = counts.get(group.group(1), 0) + 1
        return f"(?P<{group.group(1)}{counts[group.group(1)]}>"
    body = re.sub(r"\(\?P<([a-z]+)>", numbered, body)
    return re.compile(rf"(?<![^ ])(?:{body})(?![^ ])")


class Lexicon:
    """The words (matched against one lemma) and patterns (over a line) of one language."""

    def __init__(self, words: dict[str, str], patterns: dict[str, str]):
        self.words = {name: re.compile(_expand(words, value)) for name, value in words.items()}
        self.patterns = {name: _compile(words, value) for name, value in patterns.items()}

    def __getattr__(self, name: str) -> re.Pattern:
        try:
            return self.words[name] if name in self.words else self.patterns[name]
        except KeyError:
            raise AttributeError(name) from None
