"""Calendar periods as aware datetimes in the project's time zone."""

import datetime
from dataclasses import dataclass

from django.utils import timezone


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both days included."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (exclusive bound)."""
        return day_start(self.last + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_whole_months(self) -> bool:
        return self.first.day == 1 and (self.last + datetime.timedelta(days=1)).day == 1

    def previous(self) -> "Period":
        """The period just before this one: as many whole months, or else as many days."""
        last = self.first - datetime.timedelta(days=1)
        if self.is_whole_months:
            months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
            index = self.first.year * 12 + self.first.month - 1 - (months + 1)
            return Period(datetime.date(index // 12, index % 12 + 1, 1), last)
        return Period(last - datetime.timedelta(days=self.days - 1), last)

    def months(self) -> list[datetime.date]:
        """The first day of every calendar month the period touches."""
        month = self.first.replace(day=1)
        months = []
        while month <= self.last:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
