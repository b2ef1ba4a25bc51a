"""Shared keyboards: rows of buttons, paging, one Back, one Main menu (every feature builds them here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.i18n import N_, Translator
from handlers.callbacks import CallbackData, Menu

# (menu item, label) of the main menu, in reading order; two per row on a phone.
MENU_ITEMS: tuple[tuple[Menu, str], ...] = (
    (Menu("status"), N_("🛡 Check protection")),
    (Menu("eligibility"), N_("✅ Check eligibility")),
    (Menu("benefits"), N_("💰 Benefits & fees")),
    (Menu("faq"), N_("❓ Questions")),
    (Menu("interest"), N_("📝 Sign up interest")),
    (Menu("help"), N_("ℹ️ Help")),
)
BACK_LABEL = N_("◀️ Back")
MAIN_MENU_LABEL = N_("🏠 Main menu")


def button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def main_menu_button(t: Translator) -> InlineKeyboardButton:
    return button(t.gettext(MAIN_MENU_LABEL), Menu("home"))


def back_button(t: Translator, data: CallbackData) -> InlineKeyboardButton:
    return button(t.gettext(BACK_LABEL), data)


def nav_row(t: Translator, back: CallbackData | None = None) -> list[InlineKeyboardButton]:
    """[◀️ Back] [🏠 Main menu] — the last row of every step."""
    return ([back_button(t, back)] if back is not None else []) + [main_menu_button(t)]


def main_menu_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows([button(t.gettext(label), data) for data, label in MENU_ITEMS]))


def back_to_menu_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[main_menu_button(t)]])


def paged(
    items: Sequence[InlineKeyboardButton], page: int, page_data: Callable[[int], CallbackData], per_page: int = 10,
    per_row: int = 2,
) -> list[list[InlineKeyboardButton]]:
    """One page of buttons (`per_row` a row) with ◀️ ▶️ to turn pages; `page_data(page)` names a page."""
    pages = max(1, (len(items) + per_page - 1) // per_page)
    page = min(max(page, 0), pages - 1)
    keyboard = rows(items[page * per_page : (page + 1) * per_page], per_row)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(f"◀️ {page}/{pages}", callback_data=page_data(page - 1).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(f"{page + 2}/{pages} ▶️", callback_data=page_data(page + 1).pack()))
    if nav:
        keyboard.append(nav)
    return keyboard
