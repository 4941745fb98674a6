"""Themes: the facilitators' grouping of answers on the board (`grouping`, whose names are
gathered here), and offline suggestions of themes (`suggest`, run off the request path by
`suggestion_runs`)."""

from workshop.themes.grouping import (
    MAX_DESCRIPTION,
    MAX_THEMES,
    MAX_TITLE,
    ThemeSummary,
    clean_description,
    clean_title,
    create_theme,
    delete_theme,
    framework_strategy_ids,
    get_theme,
    link_strategy,
    list_themes,
    merge_themes,
    move_responses,
    split_theme,
    strategy_ids,
    summaries,
    unlink_strategy,
    update_theme,
    visible_responses,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_THEMES",
    "MAX_TITLE",
    "ThemeSummary",
    "clean_description",
    "clean_title",
    "create_theme",
    "delete_theme",
    "framework_strategy_ids",
    "get_theme",
    "link_strategy",
    "list_themes",
    "merge_themes",
    "move_responses",
    "split_theme",
    "strategy_ids",
    "summaries",
    "unlink_strategy",
    "update_theme",
    "visible_responses",
]
