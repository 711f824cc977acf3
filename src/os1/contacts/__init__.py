"""Contacts: vCard files and CardDAV address books, who is who, and birthdays to come."""

from os1.contacts.book import AddressBook, Upcoming, days_until
from os1.contacts.cards import Birthday, Card, Dropped, birthday_of, read_cards

__all__ = [
    "AddressBook",
    "Birthday",
    "Card",
    "Dropped",
    "Upcoming",
    "birthday_of",
    "days_until",
    "read_cards",
]
