"""The fault matrix, security: no secret of docker.env reaches anything the panel shows, prints, logs or
keeps; the panel talks only to the deployment on loopback and sends nothing of its own; no shell ever runs a
command; backups and the audit log are never more readable than docker.env itself.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QTabBar, QWidget
from pytestqt.qtbot import QtBot

import panel
from panel.core.backups import list_backups, restore_preview
from panel.core.paths import audit_log_path
from tests.conftest import (
    LEGACY_MONGO_ROOT_PASSWORD,
    SECRET_VALUES,
    SINGLE_DOCKER_ENV,
    assert_no_secret,
    write_legacy_deployment,
    write_single_deployment,
)
from tests.reliability.conftest import Cli, SimDeployment, run_cli

PANEL = Path(panel.__file__).parent
ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.StatusTipRole,
    Qt.ItemDataRole.WhatsThisRole,
)


# --- collecting everything a person (or a screen reader) could see
# -----------------------------------------------


def _model_texts(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return

    def count(method: Callable[..., int], parent: QModelIndex) -> int:
        try:
            return method(parent)
        except TypeError:  # a list model: PySide keeps its columnCount private (one column, no children)
            return 1

    def walk(parent: QModelIndex) -> Iterator[str]:
        for row in range(count(model.rowCount, parent)):
            for column in range(max(1, count(model.columnCount, parent))):
                index = model.index(row, column, parent)
                for role in ROLES:
                    value = model.data(index, role)
                    if isinstance(value, str):
                        yield value
                if column == 0 and model.rowCount(index) > 0:
                    yield from walk(index)

    yield from walk(QModelIndex())
    for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
        sections = (
            count(model.columnCount, QModelIndex())
            if orientation is Qt.Orientation.Horizontal
            else model.rowCount(QModelIndex())
        )
        for section in range(sections):
            value = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
            if isinstance(value, str):
                yield value


def screen_text(widget: QWidget) -> str:
    """Every text of `widget` and its children: labels, buttons, edits, titles, tooltips, accessible names and
    descriptions, status and what's-this tips, item views' items and headers, tabs, combo items, actions."""
    parts: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        parts += [
            child.windowTitle(),
            child.toolTip(),
            child.accessibleName(),
            child.accessibleDescription(),
            child.statusTip(),
            child.whatsThis(),
        ]
        for getter in (
            "text",
            "title",
            "subTitle",
            "toPlainText",
            "placeholderText",
            "currentText",
            "labelText",
        ):
            method = getattr(child, getter, None)
            if callable(method):
                try:
                    value = method()
                except TypeError:
                    continue
                if isinstance(value, str):
                    parts.append(value)
        if isinstance(child, QAbstractItemView):
            parts += list(_model_texts(child))
        if isinstance(child, QTabBar):
            parts += [child.tabText(i) + "\n" + child.tabToolTip(i) for i in range(child.count())]
        if isinstance(child, QComboBox):
            parts += [child.itemText(i) for i in range(child.count())]
    for action in widget.findChildren(QAction):
        parts += [action.text(), action.toolTip(), action.statusTip()]
    return "\n".join(parts)


class Seen:
    """Everything collected; each piece is checked at once and kept for the final check and the count."""

    def __init__(self) -> None:
        self.pieces: dict[str, str] = {}

    def add(self, name: str, text: str) -> None:
        assert_no_secret(text)
        self.pieces[name] = text

    def screen(self, name: str, widget: QWidget) -> None:
        QApplication.processEvents()
        self.add(name, screen_text(widget))


# --- every screen of the window
# -------------------------------------------------------------------------------------


def test_no_secret_in_any_window_text(
    qtbot: QtBot,
    sim_deployment: Callable[..., SimDeployment],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    system_program: Path,
) -> None:
    from panel.core.status import gather
    from panel.gui.about_dialog import AboutDialog
    from panel.gui.backups_view import RestoreDialog
    from panel.gui.consent_dialog import ConsentDialog, Page
    from panel.gui.elevated_dialog import ElevatedChangeDialog
    from panel.gui.main_window import MainWindow
    from panel.gui.wizard import FirstRunWizard

    caplog.set_level(logging.DEBUG)
    seen = Seen()
    sim = sim_deployment()
    # a backup, an audit line, a pending restart
    assert run_cli("disable", str(sim.folder), "--yes").code == 0
    monkeypatch.setattr(ConsentDialog, "health_interval", 0.2)

    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(sim.folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        seen.screen(f"main window, tab {window.tabs.tabText(index)}", window)
    window.backups.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: "APPSMITH_DISABLE_TELEMETRY" in window.backups.diff.toPlainText(), timeout=30_000)
    seen.screen("backups, a backup's diff", window)
    [backup] = list_backups(sim.env_file)
    restore = RestoreDialog(sim.env_file, backup, restore_preview(sim.env_file, backup), window)
    seen.screen("restore dialog", restore)
    restore.close()
    about = AboutDialog(window)
    seen.screen("about", about)
    about.close()

    status = window.status
    assert status is not None
    consent = ConsentDialog(status, True, window)
    qtbot.waitUntil(consent.restart_now_button.isEnabled, timeout=30_000)
    seen.screen("consent dialog, review", consent)
    consent.restart_now_button.click()
    assert consent.pages.currentIndex() == Page.PROGRESS
    qtbot.waitUntil(lambda: consent.apply_result is not None, timeout=90_000)
    seen.screen("consent dialog, progress and verdict", consent)
    consent.close()

    broken = sim_deployment(
        name="broken", docker_env=SINGLE_DOCKER_ENV.encode() + b"NOTE=\xff\n", start=False
    )
    refused = ConsentDialog(gather(broken.deployment), False, window)
    assert refused.pages.currentIndex() == Page.REFUSED
    seen.screen("consent dialog, refused", refused)
    refused.close()

    window.refresh()
    qtbot.waitUntil(lambda: not window.refresher.busy, timeout=30_000)
    status = window.status
    assert status is not None
    window.show_status(replace(status, file=replace(status.file, writable=False)))
    seen.screen("main window, not writable (lock banner)", window)
    # the last simulated docker's bin folder
    pkexec = Path(os.environ["PATH"].split(os.pathsep)[0]) / "pkexec"
    pkexec.write_text('#!/bin/sh\necho "pkexec ran: $*"\nexit 0\n', encoding="utf-8")
    pkexec.chmod(0o755)
    elevated = ElevatedChangeDialog(status, window)
    elevated.disable_choice.click()
    elevated.run()
    qtbot.waitUntil(lambda: elevated.result_code is not None, timeout=30_000)
    seen.screen("change as administrator", elevated)
    elevated.close()
    window.close()

    read_only = MainWindow(read_only=True, remember=False)
    qtbot.addWidget(read_only)
    read_only.show()
    assert read_only.open_deployment(sim.folder)
    qtbot.waitUntil(lambda: read_only.status is not None, timeout=30_000)
    seen.screen("read-only window", read_only)
    read_only.close()

    wizard = FirstRunWizard(None, sim.folder, health_interval=0.2, health_timeout=60.0)
    qtbot.addWidget(wizard)
    wizard.show()
    pages = FirstRunWizard.Page
    seen.screen("wizard, welcome", wizard)
    for expected in (pages.DEPLOYMENT, pages.COLLECTED, pages.CHOICE):
        wizard.next()
        assert wizard.currentId() == expected
        qtbot.waitUntil(lambda: wizard.deployment is not None, timeout=10_000)
        seen.screen(f"wizard, {expected.name.lower()}", wizard)
    wizard.choice_page.do_not_share.click()
    wizard.next()
    assert wizard.currentId() == pages.REVIEW
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=30_000)
    wizard.review_page.restart_now.click()
    seen.screen("wizard, review", wizard)
    wizard.next()
    assert wizard.currentId() == pages.APPLY
    qtbot.waitUntil(wizard.apply_page.isComplete, timeout=90_000)
    seen.screen("wizard, apply", wizard)
    wizard.next()
    assert wizard.currentId() == pages.DONE
    qtbot.waitUntil(lambda: wizard.status is not None, timeout=30_000)
    seen.screen("wizard, done", wizard)
    wizard.close()

    seen.add("the panel's log at DEBUG", caplog.text)
    seen.add("the audit log", audit_log_path().read_text(encoding="utf-8"))
    assert len(seen.pieces) >= 20
    assert any("••••••" in text for text in seen.pieces.values()), "the diffs show masked secrets"


# --- every command of the command line
# ----------------------------------------------------------------------------


def test_no_secret_in_any_command_output(
    sim_deployment: Callable[..., SimDeployment], tmp_path: Path
) -> None:
    sim = sim_deployment()
    folder = str(sim.folder)
    legacy = str(write_legacy_deployment(tmp_path / "legacy"))
    outputs: dict[str, Cli] = {}

    def run(*args: str, code: int | None = 0) -> Cli:
        result = run_cli(*args)
        outputs[" ".join(args)] = result
        assert_no_secret(result.output)
        if code is not None:
            assert result.code == code, (args, result.output)
        if "--json" in args and result.stdout.strip():
            json.loads(result.stdout)
        return result

    run("--help")
    for command in (
        "status",
        "disable",
        "enable",
        "payloads",
        "backups",
        "restore",
        "discover",
        "fix-nginx",
        "log",
    ):
        run(command, "--help")
    run("status", folder)
    run("-v", "status", folder, "--json")
    run("disable", folder, "--dry-run")
    run("disable", folder, "--dry-run", "--restart", "--json")
    run("-v", "disable", folder, "--restart", "--yes")
    run("enable", folder, "--restart", "--yes", "--json")
    run("payloads")
    run("payloads", "--json", "--verbose", "--email", "ops@example.com")
    run("backups", folder)
    backups = json.loads(run("backups", folder, "--json").stdout)
    run("-v", "restore", folder, Path(backups[-1]["path"]).name, "--yes")
    run("discover")
    run("discover", "--json")
    run("log")
    run("log", "--json")
    run("status", legacy, "--json")
    run("disable", legacy, "--yes", "--json")
    run("fix-nginx", legacy, "--dry-run")
    run("-v", "fix-nginx", legacy, "--yes")
    sim.set_faults("up-fails")
    run("-v", "disable", folder, "--restart", "--yes", code=6)
    sim.set_faults("compose-rejects")
    run("-v", "enable", folder, "--restart", "--yes", "--json", code=1)
    assert len(outputs) >= 30
    assert_no_secret(audit_log_path().read_text(encoding="utf-8"))


def test_no_secret_when_the_compose_file_is_broken_on_a_secret_line(tmp_path: Path) -> None:
    """Found by this row: a YAML error quoted the offending line, here a database root password."""
    folder = write_legacy_deployment(tmp_path / "legacy")
    compose = folder / "docker-compose.yml"
    secret_line = f"MONGO_INITDB_ROOT_PASSWORD={LEGACY_MONGO_ROOT_PASSWORD}"
    text = compose.read_text().replace(secret_line, secret_line + ": [unclosed")
    compose.write_text(text)
    result = run_cli("status", str(folder), "--json")
    assert result.code == 3
    assert "is not valid YAML" in result.stderr and " at line " in result.stderr
    assert_no_secret(result.output)


def test_no_secret_in_backups_or_their_diffs(tmp_path: Path) -> None:
    from panel.core.backups import restore_preview

    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = folder / "stacks" / "configuration" / "docker.env"
    assert run_cli("disable", str(folder), "--yes").code == 0
    # a secret changed by hand
    env_file.write_text(SINGLE_DOCKER_ENV.replace("Hf3k", "XXXX"), encoding="utf-8")
    [backup] = list_backups(env_file)
    preview = restore_preview(env_file, backup)
    assert_no_secret(preview)
    assert "secret" in preview.lower() or "••••••" in preview


# --- network: loopback only, nothing of its own
# --------------------------------------------------------------------

_NETWORK_WATCH = textwrap.dedent(r"""
    import json, sys
    seen = []

    def hook(event, args):
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            seen.append([event, repr(args[-1])])
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                       "socket.gethostbyaddr"):
            seen.append([event, repr(args[0])])

    sys.addaudithook(hook)
    from panel.cli import main
    codes = [main(arguments) for arguments in json.loads(sys.argv[1])]
    with open(sys.argv[2], "w") as out:
        json.dump({"codes": codes, "seen": seen, "modules": sorted(sys.modules)}, out)
""")


def _watch_network(runs: list[list[str]], tmp_path: Path, env: dict[str, str] | None = None) -> dict:
    report = tmp_path / "network.json"
    subprocess.run(
        [sys.executable, "-c", _NETWORK_WATCH, json.dumps(runs), str(report)],
        check=True,
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    return json.loads(report.read_text())


def test_network_only_the_deployments_loopback_port(
    sim_deployment: Callable[..., SimDeployment], tmp_path: Path
) -> None:
    """Proxy settings in the environment are not followed: the instance is asked directly, never through a
    proxy (one on loopback here, which would show as a third port asked)."""
    sim = sim_deployment()
    folder = str(sim.folder)
    proxy = "http://127.0.0.1:9"
    proxies = {name: proxy for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")}
    report = _watch_network(
        [["status", folder, "--json"], ["disable", folder, "--restart", "--yes"], ["status", folder]],
        tmp_path,
        os.environ | proxies | {"NO_PROXY": "", "no_proxy": ""},
    )
    assert report["codes"] == [0, 0, 0]
    status = json.loads(run_cli("status", folder, "--json").stdout)
    ports = {status["container"]["http_port"]}
    connects = [entry for entry in report["seen"] if entry[0] == "socket.connect"]
    assert connects, "the instance was asked"
    for event, address in report["seen"]:
        host = address.strip("()'").split("'")[0] if event == "socket.connect" else address.strip("'")
        assert host in ("127.0.0.1", "::1"), (event, address)
    # The server was restarted on a new port: the ports asked are the deployment's, before and after.
    asked = {int(address.rsplit(",", 1)[1].strip(" )")) for _, address in connects}
    assert ports <= asked and len(asked) <= 2
    assert 9 not in asked, "the proxy from the environment was used"
    assert "PySide6.QtNetwork" not in report["modules"]


def test_network_nothing_at_start_up_of_the_window(tmp_path: Path) -> None:
    """`--demo --smoke` builds the whole window on the demo deployment, paints once and quits: no connection
    leaves the machine on the way (the demo's own processes are separate programs)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    report = tmp_path / "network.json"
    script = _NETWORK_WATCH.replace(
        "codes = [main(arguments) for arguments in json.loads(sys.argv[1])]",
        "codes = [main(['--demo', '--smoke'])]",
    )
    subprocess.run(
        [sys.executable, "-c", script, "[]", str(report)],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    found = json.loads(report.read_text())
    assert found["codes"] == [0]
    for event, address in found["seen"]:
        assert "127.0.0.1" in address or "::1" in address, (event, address)


_GUARD = textwrap.dedent(r"""
    import socket, sys, threading, http.server
    from panel.core import netguard
    netguard.install()
    netguard.install()
    results = {}
    for name, attempt in {
        "tcp to a public address": lambda: socket.create_connection(("192.0.2.10", 80), timeout=1),
        "tcp to a private address": lambda: socket.create_connection(("10.1.2.3", 443), timeout=1),
        "udp to a resolver": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
            b"x", ("8.8.8.8", 53)),
        "name lookup": lambda: socket.getaddrinfo("telemetry.example.com", 443),
        "connect by name": lambda: socket.create_connection(("example.com", 80), timeout=1),
    }.items():
        try:
            attempt()
            results[name] = "allowed"
        except netguard.NetworkRefused:
            results[name] = "refused"
        except OSError as error:
            results[name] = f"other: {error}"
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    from panel.core.instance import probe_health
    results["loopback"] = probe_health(server.server_address[1])[0].value
    print(results)
""")


def test_network_guard_refuses_anything_but_loopback() -> None:
    """The panel enforces it: `main()` installs an audit hook that refuses, before a packet leaves, any
    connection or name lookup that is not this machine's loopback."""
    out = subprocess.run(
        [sys.executable, "-c", _GUARD],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=str(PANEL.parent),
    ).stdout
    results = ast.literal_eval(out.strip().splitlines()[-1])
    assert results.pop("loopback") != "unreachable"
    assert results == dict.fromkeys(results, "refused")


_LOOKUPS = textwrap.dedent(r"""
    import sys
    from panel.core import netguard
    netguard.install()  # before socket is imported: the first socket made wraps the class
    import socket
    results = {}
    for name, attempt in {
        "connect by name": lambda: socket.socket().connect(("telemetry.invalid", 80)),
        "connect_ex by name": lambda: socket.socket().connect_ex(("telemetry.invalid", 80)),
        "sendto by name": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
            b"x", ("telemetry.invalid", 53)),
        "sendto with flags by name": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
            b"x", 0, ("telemetry.invalid", 53)),
        "gethostbyname": lambda: socket.gethostbyname("telemetry.invalid"),
        "gethostbyname_ex": lambda: socket.gethostbyname_ex("telemetry.invalid"),
        "gethostbyaddr": lambda: socket.gethostbyaddr("192.0.2.10"),
        "getnameinfo": lambda: socket.getnameinfo(("192.0.2.10", 80), 0),
        "getaddrinfo": lambda: socket.getaddrinfo("telemetry.invalid", 443),
    }.items():
        try:
            attempt()
            results[name] = "allowed"
        except netguard.NetworkRefused:
            results[name] = "refused"
        except OSError as error:  # the lookup was made, and failed: the guard came too late
            results[name] = f"looked up: {type(error).__name__}"
    for name, attempt in {
        "localhost": lambda: socket.getaddrinfo("localhost", 80),
        "127.0.0.2": lambda: socket.getnameinfo(("127.0.0.2", 80), 0),
        "::1": lambda: socket.getaddrinfo("::1", 80),
    }.items():
        try:
            attempt()
            results[name] = "allowed"
        except netguard.NetworkRefused:
            results[name] = "refused"
        except OSError:
            results[name] = "allowed"  # not refused by the guard; this machine may lack the name or IPv6
    print(results)
""")


def test_row_name_lookups_never_leave_the_machine() -> None:
    """Found by the adversarial review: a socket's `connect(("name", 80))` resolves the name in C before its
    audit event, and `gethostbyaddr`/`getnameinfo` were not watched, so DNS queries got past the guard.
    Before: `looked up: gaierror`/`herror` or allowed; now every lookup but loopback is refused first."""
    out = subprocess.run(
        [sys.executable, "-c", _LOOKUPS],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=str(PANEL.parent),
    ).stdout
    results = ast.literal_eval(out.strip().splitlines()[-1])
    loopback = {name: results.pop(name) for name in ("localhost", "127.0.0.2", "::1")}
    assert loopback == dict.fromkeys(loopback, "allowed")
    assert len(results) == 9
    assert results == dict.fromkeys(results, "refused")


def test_network_libraries_are_used_by_one_module_only() -> None:
    """The only code that opens a connection is the loopback probe (the demo's simulator aside), and it is the
    only one that imports an HTTP client library (requests, for the probe); none imports urllib3, Qt's network
    module or another client."""
    opening = {
        "Session",
        "HTTPConnection",
        "HTTPSConnection",
        "create_connection",
        "urlopen",
        "getaddrinfo",
        "gethostbyname",
        "create_server",
    }
    users, libraries = set(), []
    for path in PANEL.rglob("*.py"):
        if path.relative_to(PANEL).parts[0] == "demo":  # the simulator, at any depth
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                socket_call = (
                    isinstance(func, ast.Attribute)
                    and func.attr == "socket"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "socket"
                )
                if name in opening or socket_call:
                    users.add(path.relative_to(PANEL).as_posix())
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            libraries += [
                f"{path.name}: {module}"
                for module in modules
                if module.split(".")[0] in ("requests", "urllib3", "httpx", "aiohttp")
                or module.startswith(("PySide6.QtNetwork", "urllib.request"))
            ]
    assert sorted(users) == ["core/instance.py"]
    assert libraries and set(libraries) == {"instance.py: requests"}


# --- no shell, ever
# --------------------------------------------------------------------------------------------------

_PROCESS_WATCH = textwrap.dedent(r"""
    import json, sys
    seen = []

    def hook(event, args):
        if event == "subprocess.Popen":
            argv = args[1]
            seen.append(["popen", str(args[0]),
                         [str(a) for a in argv] if not isinstance(argv, (str, bytes)) else str(argv)])
        elif event in ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile"):
            seen.append([event, repr(args)])

    sys.addaudithook(hook)
    from panel.cli import main
    codes = [main(arguments) for arguments in json.loads(sys.argv[1])]
    with open(sys.argv[2], "w") as out:
        json.dump({"codes": codes, "seen": seen}, out)
""")


def test_no_shell_runs_any_command(sim_deployment: Callable[..., SimDeployment], tmp_path: Path) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    sim = sim_deployment(name="x; touch PWNED1 && $(touch PWNED2) `touch PWNED3` | sh", parent=parent)
    folder = str(sim.folder)
    report = tmp_path / "processes.json"
    runs = [
        ["status", folder],
        ["disable", folder, "--restart", "--yes"],
        ["enable", folder, "--restart", "--yes"],
    ]
    subprocess.run(
        [sys.executable, "-c", _PROCESS_WATCH, json.dumps(runs), str(report)],
        check=True,
        capture_output=True,
        timeout=240,
        cwd=str(parent),
        stdin=subprocess.DEVNULL,
    )
    found = json.loads(report.read_text())
    assert found["codes"] == [0, 0, 0]
    assert found["seen"], "commands ran"
    for entry in found["seen"]:
        assert entry[0] == "popen", entry
        _, executable, argv = entry
        assert isinstance(argv, list), f"a command line string was run: {argv!r}"
        assert Path(executable).name in ("docker", "docker-compose"), executable
        assert Path(argv[0]).name in ("docker", "docker-compose")
    assert any(argv[-2:] == ["up", "-d"] for _, _, argv in found["seen"])
    for place in (parent, sim.folder, sim.state_dir):
        assert not list(place.rglob("PWNED*")), "a folder name reached a shell"


def test_no_shell_in_the_source() -> None:
    """No `shell=True`, `os.system`, `os.popen`, nor a QProcess started from one command string."""
    offenders = []
    for path in PANEL.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "shell":
                offenders.append(f"{path.name}:{node.value.lineno} shell=")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("system", "popen", "startCommand", "startDetached")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("os", "QProcess")
            ):
                offenders.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "startCommand":
                offenders.append(f"{path.name}:{node.lineno} startCommand")
    assert offenders == []


# --- permissions of what the panel creates
# -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_backups_and_audit_log_no_wider_than_the_env_file(
    tmp_path: Path, mode: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker needed
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = folder / "stacks" / "configuration" / "docker.env"
    env_file.chmod(mode)
    for verb in ("disable", "enable"):
        assert run_cli(verb, str(folder), "--yes").code == 0
    backups = list_backups(env_file)
    assert len(backups) == 2
    for backup in backups:
        assert stat.S_IMODE(backup.path.stat().st_mode) == mode
    assert stat.S_IMODE(env_file.stat().st_mode) == mode
    log = audit_log_path()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and stat.S_IMODE(log.stat().st_mode) & ~mode & 0o077 == 0
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_backups_no_wider_even_with_a_permissive_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = folder / "stacks" / "configuration" / "docker.env"
    env_file.chmod(0o600)
    program = "import os, sys; os.umask(0); from panel.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", program, "disable", str(folder), "--yes"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [backup] = list_backups(env_file)
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit_log_path().stat().st_mode) == 0o600
    assert stat.S_IMODE(audit_log_path().parent.stat().st_mode) == 0o700


def test_audit_log_made_wider_by_hand_is_narrowed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    folder = write_single_deployment(tmp_path / "appsmith")
    log = audit_log_path()
    log.parent.mkdir(parents=True, mode=0o700)
    log.write_text("")
    log.chmod(0o644)
    assert run_cli("disable", str(folder), "--yes").code == 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_walker_sees_every_kind_of_text(qtbot: QtBot) -> None:
    """The collector above is what the secret rows trust: it must find a secret wherever a widget can hold
    one."""
    from PySide6.QtWidgets import (
        QGroupBox,
        QLabel,
        QLineEdit,
        QListWidget,
        QPlainTextEdit,
        QTableWidget,
        QTableWidgetItem,
        QTabWidget,
        QTreeWidget,
        QTreeWidgetItem,
        QVBoxLayout,
    )

    places: list[Callable[[QWidget, str], None]] = [
        lambda root, s: QLabel(s, root),
        lambda root, s: QLabel("x", root).setToolTip(s),
        lambda root, s: QLabel("x", root).setAccessibleName(s),
        lambda root, s: QLabel("x", root).setAccessibleDescription(s),
        lambda root, s: QLineEdit(s, root),
        lambda root, s: QLineEdit(root).setPlaceholderText(s),
        lambda root, s: QPlainTextEdit(s, root),
        lambda root, s: QGroupBox(s, root),
        lambda root, s: QListWidget(root).addItem(s),
        lambda root, s: QTreeWidgetItem(QTreeWidgetItem(QTreeWidget(root), ["parent"]), [s]),
        lambda root, s: QTableWidget(1, 1, root).setItem(0, 0, QTableWidgetItem(s)),
        lambda root, s: QTabWidget(root).addTab(QWidget(), s),
        lambda root, s: QComboBox(root).addItem(s),
        lambda root, s: root.addAction(QAction(s, root)),
        lambda root, s: root.setWindowTitle(s),
    ]
    for place, secret in zip(places, SECRET_VALUES * 2, strict=False):
        root = QWidget()
        qtbot.addWidget(root)
        QVBoxLayout(root)
        place(root, f"before {secret} after")
        with pytest.raises(AssertionError, match="secret"):
            assert_no_secret(screen_text(root))
