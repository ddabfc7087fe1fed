"""Inserting many new rows at once: PostgreSQL's COPY, elsewhere Django's bulk_create.

Measured on a 20,000-row case import (docs/benchmarks.md): bulk_create's INSERTs spent
more time building their statement than PostgreSQL spent storing the rows. COPY takes the
same values, prepared by each field as Django prepares them for an INSERT, as one stream.
"""

from django.db import connections, router

# Rows per INSERT where COPY is not available: well under SQLite's 32,766 parameters.
BATCH_SIZE = 500


def insert_all(model, objects: list) -> None:
    """Insert `objects`, new instances of `model` without a primary key, and give each
    its primary key, as `bulk_create` does. No signals are sent (as with bulk_create)."""
    if not objects:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model.objects.using(alias).bulk_create(objects, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    fields = meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        # The primary keys from the table's own sequence first: the rows that point at
        # these (a case's referral) need them, and COPY returns nothing.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        for instance, (key,) in zip(objects, cursor.fetchall(), strict=True):
            setattr(instance, pk.attname, key)
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        # Django's exceptions (IntegrityError, …) for the driver's, as for any query.
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for instance in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(instance, True), connection)
                        for field in fields
                    ]
                )
    for instance in objects:
        instance._state.adding = False
        instance._state.db = alias
