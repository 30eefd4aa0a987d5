"""The structure holds: imports flow one way, payrules <- consortia <- claims <- evaluation <-
budgets (config and bench above them all), and no module reaches another that reaches back to it,
whether at the top of the file or inside a function (tasks import services, never the reverse)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["payrules", "consortia", "claims", "evaluation", "budgets", "config", "bench"]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every project module the file imports, anywhere in it, by its full dotted name."""
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in LAYERS}


def _graph() -> dict[str, set[str]]:
    files = [p for layer in LAYERS for p in (ROOT / layer).rglob("*.py") if "migrations" not in p.parts]
    modules = {_module(p): p for p in files}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_imports_never_run_up_the_layers():
    upward = sorted(f"{source} -> {target}" for source, targets in _graph().items() for target in targets
                    if LAYERS.index(target.split(".")[0]) > LAYERS.index(source.split(".")[0]))
    assert upward == []


def test_payrules_imports_no_django():
    for path in (ROOT / "payrules").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        assert not {n for n in names if n.split(".")[0] in ("django", "rest_framework", "celery")}, path


def test_no_module_reaches_back_to_itself():
    graph = _graph()
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == []


def test_services_never_import_tasks():
    offenders = sorted(f"{source} -> {target}" for source, targets in _graph().items() for target in targets
                       if ".tasks" not in source and target.endswith(".tasks") and "services" in source)
    assert offenders == []


def test_every_database_check_speaks_chinese_when_a_form_meets_it():
    """A form or service that validates a row meets the database's CHECKs first: each names what
    is wrong in the clerk's words, never the constraint's name."""
    import django
    from django.apps import apps
    from django.db.models import CheckConstraint
    from django.utils import translation

    assert django.VERSION >= (5, 2)
    silent = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            for constraint in model._meta.constraints:
                if isinstance(constraint, CheckConstraint):
                    message = str(constraint.get_violation_error_message())
                    if constraint.name in message or not any("\u4e00" <= c <= "\u9fff" for c in message):
                        silent.append(f"{model.__name__}.{constraint.name}: {message}")
    assert silent == []
