"""The few expressions that differ between SQLite, PostgreSQL and DuckDB, and the tables the
aggregates read (with the columns the snapshot copies).

Every aggregate in `queries.py` is written once against these; everything else in its SQL
(joins, CASE, COUNT, GROUP BY ordinals, CTEs with VALUES, LIKE … ESCAPE, correlated
subqueries) is common to all three. Parameters are written `%s` (Django's style); the DuckDB
engine turns them into `?`, which is why no SQL text here may contain a literal percent sign.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Dialect:
    name: str  # "sqlite" | "postgresql" | "duckdb"

    def month(self, column: str) -> str:
        """'YYYY-MM' of a timestamp, in UTC."""
        if self.name == "postgresql":
            return f"to_char({column}, 'YYYY-MM')"
        if self.name == "duckdb":
            return f"substr(CAST({column} AS VARCHAR), 1, 7)"
        return f"substr({column}, 1, 7)"

    def days(self, start: str, end: str) -> str:
        """Calendar days (UTC) from the day of `start` to the day of `end`."""
        if self.name == "postgresql":
            return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"
        if self.name == "duckdb":
            return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"
        return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"


# model label → the columns an aggregate may read, with their DuckDB types (for the snapshot).
# Only what the measures need: no names, address lines, phone numbers, notes or NHS numbers.
# The person's postcode is copied only to find their area (LSOA) for the deprivation quintile.
TABLES: dict[str, dict[str, str]] = {
    "cases.Referral": {
        "id": "BIGINT",
        "organisation_id": "BIGINT",
        "person_id": "BIGINT",
        "source": "VARCHAR",
        "referring_organisation_id": "BIGINT",
        "reasons": "VARCHAR",
        "received_at": "TIMESTAMP",
    },
    "cases.Case": {
        "id": "BIGINT",
        "referral_id": "BIGINT",
        "organisation_id": "BIGINT",
        "link_worker_id": "BIGINT",
        "status": "VARCHAR",
        "opened_at": "TIMESTAMP",
        "first_contact_at": "TIMESTAMP",
        "closed_at": "TIMESTAMP",
    },
    "cases.Contact": {"id": "BIGINT", "case_id": "BIGINT", "at": "TIMESTAMP"},
    "cases.CaseEvent": {
        "id": "BIGINT",
        "case_id": "BIGINT",
        "to_status": "VARCHAR",
        "at": "TIMESTAMP",
    },
    "people.Person": {
        "id": "BIGINT",
        "date_of_birth": "DATE",
        "sex": "VARCHAR",
        "ethnicity": "VARCHAR",
        "postcode": "VARCHAR",
    },
    "geo.PostcodeCentroid": {"postcode": "VARCHAR", "lsoa": "VARCHAR"},
    "geo.AreaDeprivation": {"lsoa": "VARCHAR", "quintile": "INTEGER"},
    "connections.Connection": {
        "id": "BIGINT",
        "case_id": "BIGINT",
        "service_id": "VARCHAR",
        "status": "VARCHAR",
        "created_at": "TIMESTAMP",
    },
    "connections.ConnectionEvent": {
        "id": "BIGINT",
        "connection_id": "BIGINT",
        "to_status": "VARCHAR",
        "at": "TIMESTAMP",
    },
    "directory.Attribute": {"id": "BIGINT", "service_id": "VARCHAR", "taxonomy_term_id": "VARCHAR"},
    "directory.TaxonomyTerm": {"id": "VARCHAR", "code": "VARCHAR", "name": "VARCHAR"},
    "outcomes.Administration": {
        "id": "BIGINT",
        "case_id": "BIGINT",
        "instrument": "VARCHAR",
        "timepoint": "VARCHAR",
        "score": "DOUBLE",
        "administered_at": "TIMESTAMP",
    },
}


def table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


class Tables:
    """Table names by short name, for f-strings: T.referral, T.case, …"""

    def __getattr__(self, short: str) -> str:
        for label in TABLES:
            if label.split(".")[1].lower() == short:
                return table(label)
        raise AttributeError(short)


T = Tables()
