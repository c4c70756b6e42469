"""Rules about the shape of the code, read from the source with ``ast``.

- No production function or method is longer than 60 lines (issue #12): a
  function that long does several things and wants splitting. Migrations are
  generated and exempt. A function's length runs from its ``def`` line to its
  last line (decorators not counted).
- The comments app imports at the top of its modules: an import inside a
  function there would be dodging an import cycle, which the app is arranged
  not to have (``AppConfig.ready()`` connecting receivers is the exception).

The dependency rules between apps are import-linter contracts in
``pyproject.toml`` (``lint-imports``), not tests.
"""

import ast
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
APPS = ["accounts", "articles", "comments", "newsroom", "wordpress", "wire"]
MAX_FUNCTION_LINES = 60

FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)


def production_modules(*apps: str):
    for app in apps:
        for path in sorted((PROJECT_DIR / app).rglob("*.py")):
            if "migrations" not in path.relative_to(PROJECT_DIR).parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PROJECT_DIR)}:{node.lineno}"


def test_no_production_function_is_longer_than_60_lines():
    too_long = [
        f"{where(path, node)} {node.name}() is {node.end_lineno - node.lineno + 1} lines"
        for path, tree in production_modules(*APPS)
        for node in ast.walk(tree)
        if isinstance(node, FUNCTION) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long, f"Functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(too_long)


def test_the_comments_app_imports_at_the_top_of_its_modules():
    inside_functions = [
        f"{where(path, statement)} in {function.name}()"
        for path, tree in production_modules("comments")
        for function in ast.walk(tree)
        if isinstance(function, FUNCTION) and function.name != "ready"
        for statement in ast.walk(function)
        if isinstance(statement, ast.Import | ast.ImportFrom)
    ]
    assert not inside_functions, "Imports inside functions:\n" + "\n".join(inside_functions)
