"""Dates in English as the suite's people read them: day before month, 24-hour clock (agents
of a French administration reading the English interface; Django's "en" is the US order)."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# What forms read is left as Django's (ISO dates, as the pages' date fields send them).
