"""The floor for start-up and memory: a bare PySide6 script that paints one empty QMainWindow, then quits.

It prints `first paint: X.XXX s` (seconds since the process started, read from /proc as `--smoke` does) when
the window gets its first paint event, and `peak RSS at first paint: N KiB`, exactly like
`appsmith-telemetry-panel --smoke`. With `--with-text` the window also shows one label and uses one of Qt's
enums (context for the table, not its floor).
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def since_start() -> float:
    with open("/proc/self/stat", encoding="ascii") as handle:
        start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:"))


class FirstPaint(QObject):
    seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            print(f"first paint: {since_start():.3f} s", flush=True)
            print(f"peak RSS at first paint: {peak_rss_kib()} KiB", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1120, 760)  # the size the panel's window opens at
if "--with-text" in sys.argv:
    # Context, not the floor: what any real PySide6 window pays on top of the bare one. The first use of the
    # `Qt` namespace builds its ~100 Python enums, and the first text drawn loads the font database.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    label = QLabel("Telemetry is ON", window)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    window.setCentralWidget(label)
window.installEventFilter(FirstPaint(window))
window.show()
sys.exit(app.exec())
