"""`jagakerja console`: chat with the real bot in a terminal, through the Bot API test double.

No Telegram and no token. Lines come from stdin (so it can be piped); each bot message is printed with its
buttons numbered. A line equal to a button's label, or `#N`, presses that button. Console commands:
`:file PATH` sends a document, `:contact [PHONE]` shares your contact, `:user ID [LANG]` switches user,
`:quit` leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.domain.privacy import generate_key
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser

INDEX_PATTERN = re.compile(r"^#(\d+)$")


def _key_for(db_path: Path) -> str:
    """DATA_KEY from the environment, else a key kept beside a kept console database."""
    if os.environ.get("DATA_KEY"):
        return os.environ["DATA_KEY"]
    key_file = db_path.with_suffix(db_path.suffix + ".key")
    if key_file.exists():
        return key_file.read_text().strip()
    key = generate_key()
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


class Printer:
    """Prints every new bot message and every edit once, with numbered buttons."""

    def __init__(self, out: TextIO, files_dir: Path) -> None:
        self.out = out
        self.files_dir = files_dir
        self._printed: dict[tuple[int, int], int] = {}
        self._shown: dict[tuple[int, int], tuple[str | None, list[list[str]]]] = {}
        self.current_chat = 0

    def pending(self, messages: list[BotMessage]) -> list[tuple[BotMessage, bool]]:
        result = []
        for message in messages:
            seen = self._printed.get((message.chat_id, message.message_id))
            if seen is None:
                result.append((message, False))
            elif seen < len(message.edits):
                result.append((message, True))
        return result

    def flush(self, messages: list[BotMessage]) -> None:
        for message, edited in self.pending(messages):
            key = (message.chat_id, message.message_id)
            self._printed[key] = len(message.edits)
            shown = (message.text, message.buttons)
            previous = self._shown.get(key)
            self._shown[key] = shown
            if edited and previous is not None and not message.deleted and previous[0] == shown[0] and not shown[1]:
                continue  # only the buttons were removed: nothing new to read
            self._print(message, edited)
        self.out.flush()

    def _print(self, message: BotMessage, edited: bool) -> None:
        prefix = "🤖 "
        if message.chat_id != self.current_chat:
            prefix += f"[→ user {message.chat_id}] "
        if edited:
            prefix += "✏️ "
        if message.deleted:
            self.out.write(prefix + "(message deleted)\n")
            return
        if message.kind != "text":
            self.out.write(prefix + self._file_line(message) + "\n")
        if message.text:
            body = "\n".join(line.rstrip() and "   " + line for line in message.text.split("\n"))
            self.out.write(prefix + body.removeprefix("   ") + "\n")
        counter = itertools.count(1)
        for row in message.buttons:
            self.out.write("   " + "   ".join(f"[{next(counter)}] {label}" for label in row) + "\n")
        self.out.write("\n")

    def _file_line(self, message: BotMessage) -> str:
        name = message.file_name or f"{message.kind}-{message.message_id}"
        if message.file_bytes is None:
            return f"📎 {name}"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(name).name
        path.write_bytes(message.file_bytes)
        return f"📎 {name} ({len(message.file_bytes)} bytes) saved to {path}"


def _plain_label(label: str) -> str:
    """`🗑 Ya, hapus` → `ya, hapus`: a typed label need not include the emoji."""
    return re.sub(r"^[^\w]+", "", label.casefold()).strip()


def _button_label(user: TelegramUser, line: str) -> str | None:
    """The label of a button in the newest message with buttons that the typed line names."""
    for message in reversed(user.double.messages_to(user.chat_id)):
        if message.buttons and not message.deleted:
            wanted = _plain_label(line)
            return next((label for row in message.buttons for label in row
                         if label.casefold() == line.casefold() or _plain_label(label) == wanted), None)
    return None


async def _act(user: TelegramUser, line: str) -> int | None:
    """Turn one input line into an update; returns its update id (None: nothing sent)."""
    if match := INDEX_PATTERN.match(line):
        return await user.press_index(int(match.group(1)))
    if line.startswith(":file "):
        path = Path(line[6:].strip()).expanduser()
        mime = "text/csv" if path.suffix.lower() == ".csv" else "application/octet-stream"
        if path.suffix.lower() == ".xlsx":
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return await user.send_document(path.name, path.read_bytes(), mime_type=mime)
    if line.startswith(":contact"):
        phone = line[len(":contact"):].strip() or "+6281234567890"
        return await user.share_contact(phone)
    if (label := _button_label(user, line)) is not None:
        return await user.press(label)
    return await user.send(line)


async def _read_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def reader() -> None:
        for raw in stream:
            loop.call_soon_threadsafe(queue.put_nowait, raw.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    loop.run_in_executor(None, reader)
    return queue


async def run_console(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="jagakerja-console-"))
    db_path = Path(args.db).resolve() if args.db else workdir / "console.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    key = _key_for(db_path) if args.db else os.environ.get("DATA_KEY") or generate_key()
    admins = tuple(int(part) for part in re.split(r"[,\s]+", os.environ.get("ADMIN_IDS", "")) if part.isdigit())
    local = LocalBot(f"sqlite+aiosqlite:///{db_path}", data_key=key, admin_ids=admins)  # ADMIN_IDS from the env
    printer = Printer(stdout, workdir / "files")
    interactive = stdin.isatty()
    try:
        await local.start()
        user = local.user(args.user_id, first_name=args.name, language_code=args.language_code)
        printer.current_chat = user.chat_id
        print(f"JagaKerja console — you are user {user.user_id} ({args.name}). Type a message; a button's "
              "label or #N presses it; :file PATH, :contact, :user ID, :quit. Ctrl+D ends.",
              file=sys.stderr)
        background = asyncio.create_task(_print_forever(local, printer))
        lines = await _read_lines(stdin)
        while (line := await lines.get()) is not None:
            line = line.strip()
            if not line:
                continue
            if line in (":quit", ":q"):
                break
            if line.startswith(":user "):
                parts = line.split()
                user = local.user(int(parts[1]), first_name=args.name,
                                  language_code=parts[2] if len(parts) > 2 else args.language_code)
                printer.current_chat = user.chat_id
                continue
            if not interactive:
                stdout.write(f"👤 {line}\n")
            try:
                update_id = await _act(user, line)
            except (LookupError, OSError) as exc:
                print(f"(console) {exc}", file=sys.stderr)
                continue
            if update_id is not None:
                await local.settle(update_id)
            printer.flush(local.double.messages)
        await _drain(local, printer)
        background.cancel()
        printer.flush(local.double.messages)
        return 0
    finally:
        await local.stop()
        shutil.rmtree(workdir / "console.db", ignore_errors=True)


async def _drain(local: LocalBot, printer: Printer, quiet: float = 1.5, limit: float = 60.0) -> None:
    """After the last input line: keep printing what the bot still sends on its own (a broadcast, its
    final report) until it has been quiet for `quiet` seconds, at most `limit` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        try:
            await local.double.wait_for(lambda: bool(printer.pending(local.double.messages)) or None,
                                        timeout=quiet)
        except TimeoutError:
            return
        printer.flush(local.double.messages)


async def _print_forever(local: LocalBot, printer: Printer) -> None:
    """Print messages that arrive on their own (notifications, reminders, progress edits)."""
    double = local.double
    while True:
        await double.wait_for(lambda: bool(printer.pending(double.messages)) or None, timeout=3600)
        printer.flush(double.messages)
